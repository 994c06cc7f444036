"""Demo risks of the demo tenant (`make run`), one of them shared with the demo staff member."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User

DEMO_RISKS = (
    # title, owner e-mail, likelihood, impact, treatment, category, residual (likelihood, impact)
    ("Phishing leads to a compromised admin account", "security@demo.example", 4, 5, "mitigate", "People", (2, 4)),
    ("Ransomware encrypts production databases", "operations@demo.example", 2, 5, "mitigate", "Technology", (1, 4)),
    (
        "Key supplier (payment provider) goes out of business",
        "ciso@demo.example",
        2,
        4,
        "transfer",
        "Suppliers",
        (2, 2),
    ),
    ("Personal data sent to the wrong customer", "staff@demo.example", 3, 3, "mitigate", "Privacy", (2, 3)),
    ("Unpatched third-party library with a known CVE", "security@demo.example", 4, 3, "mitigate", "Technology", (3, 3)),
    ("Loss of the Stockholm data centre", "operations@demo.example", 1, 5, "accept", "Continuity", (1, 5)),
)


def demo_ensure() -> None:
    from sharing import services as sharing_services

    from . import services as risk_services
    from .models import Risk

    if Risk.objects.exists():
        return
    ciso = User.objects.get(email="ciso@demo.example")
    # The demo CISO has no second factor yet, but services check roles, not sessions.
    review = timezone.localdate() + timedelta(days=120)
    for title, owner, likelihood, impact, treatment, category, (residual_l, residual_i) in DEMO_RISKS:
        risk = risk_services.risk_create(
            by=ciso,
            title=title,
            owner=User.objects.get(email=owner),
            likelihood=likelihood,
            impact=impact,
            residual_likelihood=residual_l,
            residual_impact=residual_i,
            treatment=treatment,
            category=category,
            next_review=review,
        )
        if owner == "operations@demo.example" and impact == 5 and likelihood == 2:
            sharing_services.share_grant(obj=risk, by=risk.owner, user=User.objects.get(email="staff@demo.example"))
