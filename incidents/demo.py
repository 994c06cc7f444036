"""Demo data of the incidents app for the demo tenant (called inside the tenant's schema and a transaction).

A year of a small SaaS company's incidents: phishing, outages, a lost laptop, a personal-data breach
whose 72-hour clock is running, corrective actions (one overdue), and one encrypted attachment.
"""

import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import User

from . import attachments, services
from .models import Incident, StatusChange


@dataclass(frozen=True)
class DemoIncident:
    title: str
    type: str
    severity: int
    status: str
    days_ago: float
    hours_to_resolve: float
    reporter: str
    assignee: str
    description: str
    affected: str = ""
    root_cause: str = ""
    lessons: str = ""
    notes: tuple[tuple[float, str, str], ...] = ()  # hours after detection, author, text
    actions: tuple[tuple[str, str, int, str], ...] = ()  # title, owner, due in days from today, status
    breach: bool = False
    risk_titles: tuple[str, ...] = field(default=())


OPS, SEC, CISO, STAFF = "operations@demo.example", "security@demo.example", "ciso@demo.example", "staff@demo.example"

DEMO_INCIDENTS = (
    DemoIncident(
        "Phishing mail imitating the payroll provider",
        "security",
        3,
        "closed",
        240,
        6,
        STAFF,
        SEC,
        "Twelve people received a mail asking them to “confirm salary details” on a look-alike domain.",
        "E-mail, payroll portal",
        "The look-alike domain was registered the day before; our mail filter did not yet know it.",
        "Reports came in within minutes: the report button works. Add look-alike domain monitoring.",
        notes=(
            (1, SEC, "Domain blocked at the mail gateway and the DNS resolver."),
            (3, SEC, "Two people entered credentials; passwords reset, sessions revoked."),
        ),
        actions=(("Subscribe to look-alike domain monitoring", SEC, -40, "done"),),
        risk_titles=("Phishing leads to a compromised admin account",),
    ),
    DemoIncident(
        "Database failover did not trigger during maintenance",
        "operational",
        2,
        "closed",
        200,
        3,
        OPS,
        OPS,
        "Primary database node patched; the replica was not promoted and the API failed for 38 minutes.",
        "Customer API, PostgreSQL cluster",
        "The failover health check pointed at a retired port after the October network change.",
        "Test failover after every network change, not only quarterly.",
        actions=(("Add failover test to the network change checklist", OPS, -60, "done"),),
    ),
    DemoIncident(
        "Laptop stolen from a car",
        "security",
        3,
        "closed",
        170,
        20,
        STAFF,
        OPS,
        "A developer's laptop was stolen from a parked car. Its disk was encrypted; it was wiped remotely.",
        "Laptop, developer accounts",
        "Laptop left visible in a car.",
        "Encryption and remote wipe worked as designed; remind everyone never to leave devices in cars.",
    ),
    DemoIncident(
        "Certificate expired on the status page",
        "operational",
        4,
        "closed",
        140,
        2,
        OPS,
        OPS,
        "The public status page showed a certificate warning for two hours.",
        "Status page",
        "The status page was not covered by automatic renewal.",
        "All public hosts now renew automatically and are monitored.",
    ),
    DemoIncident(
        "Support ticket export sent to the wrong customer",
        "privacy",
        2,
        "closed",
        110,
        30,
        OPS,
        CISO,
        "An export of 40 support tickets (names, e-mail addresses) was attached to a reply to another customer.",
        "Support desk, customer contact data",
        "Manual export attached from the downloads folder instead of the ticket's own file.",
        "Exports go through the ticket system's share link now, never as attachments.",
        actions=(("Disable manual CSV exports in the support desk", OPS, -30, "done"),),
        breach=True,
    ),
    DemoIncident(
        "Brute-force login attempts against the admin portal",
        "security",
        2,
        "resolved",
        75,
        10,
        SEC,
        SEC,
        "About 40,000 login attempts from a botnet over one night; no account was compromised.",
        "Admin portal",
        "Credential stuffing with leaked passwords from another service.",
        actions=(
            ("Enforce FIDO2 keys for all admin accounts", SEC, -5, "in_progress"),
            ("Rate-limit the admin login per network", OPS, 10, "open"),
        ),
        risk_titles=("Phishing leads to a compromised admin account",),
    ),
    DemoIncident(
        "Backup job failed three nights in a row",
        "operational",
        3,
        "resolved",
        50,
        52,
        OPS,
        OPS,
        "The nightly backup of the file store failed with a permission error; noticed on the third night.",
        "Backups, file store",
        "A rotated storage key was not updated in the backup job.",
        actions=(("Alert on the first failed backup, not the third", OPS, 5, "open"),),
        risk_titles=("Ransomware encrypts production databases",),
    ),
    DemoIncident(
        "Malware alert on a consultant's laptop",
        "security",
        2,
        "contained",
        12,
        0,
        SEC,
        SEC,
        "EDR flagged a trojan on a consultant's laptop that has VPN access. The laptop is isolated.",
        "VPN, consultant laptop",
        notes=(
            (0.5, SEC, "Laptop isolated from the network by EDR."),
            (4, SEC, "VPN certificate revoked; forensic image taken."),
        ),
        actions=(("Require EDR on every device with VPN access", CISO, 14, "open"),),
    ),
    DemoIncident(
        "Slow API responses for customers in the EU region",
        "operational",
        3,
        "triaged",
        4,
        0,
        OPS,
        OPS,
        "p95 latency of the API doubled since yesterday's deployment.",
        "Customer API",
    ),
    DemoIncident(
        "Customer data visible to another customer in the reporting module",
        "privacy",
        1,
        "triaged",
        1.25,
        0,
        STAFF,
        SEC,
        "A customer reported seeing another customer's invoice totals in a report. The report is switched off.",
        "Reporting module, customer invoices",
        notes=(
            (1, SEC, "Reporting module disabled for everyone."),
            (6, OPS, "Cache key without the tenant id found in the report service."),
        ),
        actions=(("Review every cache key for the tenant id", OPS, 7, "open"),),
        breach=True,
    ),
    DemoIncident(
        "USB stick found in the car park",
        "security",
        4,
        "reported",
        0.2,
        0,
        STAFF,
        "",
        "An unbranded USB stick was lying by the entrance. I handed it in at the reception, unopened.",
        "",
    ),
    DemoIncident(
        "Shared drive folder open to everyone in the company",
        "privacy",
        3,
        "reported",
        0.1,
        0,
        STAFF,
        "",
        "The HR folder with salary spreadsheets is readable by the whole company.",
        "Shared drive, HR",
    ),
)


def demo_ensure() -> None:
    """Create the demo records if missing; a second run changes nothing."""
    if Incident.objects.filter(title=DEMO_INCIDENTS[0].title).exists():
        return
    people = {user.email: user for user in User.objects.filter(email__in=[OPS, SEC, CISO, STAFF])}
    if len(people) < 4:
        return
    from risks.models import Risk

    now = timezone.now()
    today = timezone.localdate()
    for spec in DEMO_INCIDENTS:
        detected = now - dt.timedelta(days=spec.days_ago)
        incident = services.incident_report(
            by=people[spec.reporter],
            title=spec.title,
            description=spec.description,
            detected_at=detected,
            affected=spec.affected,
            type=spec.type,
            occurred_at=detected - dt.timedelta(hours=1),
        )
        reported = detected + dt.timedelta(minutes=20)
        handler = people[OPS]
        times = {"reported": reported}
        if spec.status != "reported":
            times["triaged"] = reported + dt.timedelta(minutes=40)
            incident = services.incident_transition(
                incident=incident,
                by=handler,
                to="triaged",
                severity=spec.severity,
                assignee=people[spec.assignee] if spec.assignee else None,
            )
        if spec.breach:
            incident = services.incident_breach_update(incident=incident, by=people[SEC], personal_data_breach=True)
        for hours, author, text in spec.notes:
            services.timeline_add(
                incident=incident, by=people[author], text=text, at=detected + dt.timedelta(hours=hours)
            )
        for title, owner, due_in, status in spec.actions:
            action = services.action_add(
                incident=incident,
                by=handler,
                title=title,
                owner=people[owner],
                due_date=today + dt.timedelta(days=due_in),
            )
            if status != "open":
                services.action_status_set(action=action, by=people[owner], status=status)
        if spec.risk_titles:
            risks = list(Risk.objects.filter(title__in=spec.risk_titles))
            if risks:
                services.incident_risks_set(incident=incident, by=people[CISO], risks=risks)
        steps = ["contained", "resolved", "closed"]
        if spec.status in steps:
            resolved_at = detected + dt.timedelta(hours=spec.hours_to_resolve)
            if spec.root_cause or spec.lessons:
                incident = services.incident_update(
                    incident=incident, by=handler, root_cause=spec.root_cause, lessons_learned=spec.lessons
                )
            for step in steps[: steps.index(spec.status) + 1]:
                if step == "closed" and spec.breach:
                    incident = services.incident_breach_update(
                        incident=incident,
                        by=people[CISO],
                        authority_notified_at=detected + dt.timedelta(hours=40),
                        subjects_not_notified_reason="Contact details only, no high risk to the people (art. 34).",
                    )
                incident = services.incident_transition(incident=incident, by=handler, to=step)
            times["contained"] = min(reported + dt.timedelta(hours=1), resolved_at)
            times["resolved"] = resolved_at
            times["closed"] = resolved_at + dt.timedelta(days=3)
        _backdate(incident, times)
    first = Incident.objects.get(title=DEMO_INCIDENTS[7].title)
    evidence = (
        b"2026-11-14 08:12:03 EDR alert: Trojan:Win32/Agent.XYZ quarantined on LAPTOP-CONS-07\n"
        b"2026-11-14 08:12:05 host isolated from network (policy: high severity)\n"
    )
    attachments.attachment_add(
        incident=first, by=people[SEC], upload=io.BytesIO(evidence), filename="edr-alert.log", size=len(evidence)
    )


def _backdate(incident: Incident, times: dict[str, dt.datetime]) -> None:
    """Give the demo record its history in the past (the services stamp everything with the present)."""
    fields = {"reported_at": times["reported"]}
    for step, name in (("contained", "contained_at"), ("resolved", "resolved_at"), ("closed", "closed_at")):
        if step in times and getattr(incident, name):
            fields[name] = times[step]
    Incident.objects.filter(pk=incident.pk).update(**fields)
    for change in StatusChange.objects.filter(incident=incident):
        if change.to_status in times and not change.reopened:
            StatusChange.objects.filter(pk=change.pk).update(at=times[change.to_status])
