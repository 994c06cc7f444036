"""Demo data of the policies app for the demo tenant (called inside the tenant's schema and a transaction).

Three policies of a Swedish SaaS company: the IT security policy (part of onboarding, for everyone;
version 1 retired, 2 in force, 3 a draft), the acceptable use policy and the personal data handling
policy (for the people who touch customer data; version 2 approved and waiting to be published), and a
few acknowledgements — one person acknowledged only version 1 of the IT security policy. Life-cycle
steps go through the services (audited, signalled), then the dates are moved back to look lived-in.
"""

from datetime import datetime, timedelta

from django.utils import timezone

IT_SECURITY_INTRO = """\
# IT security policy

**Owner:** CISO · **Applies to:** everyone working for Demo Cloud AB — employees and consultants
· **Approved by:** management

Our customers trust us with the most important thing they have: their own customers' data, and with it
their customers' trust in them. This policy says how each of us protects that data. It is part of
everyone's onboarding, and everyone acknowledges each new version.

## 1. How we work

- We work risk-based, following ISO/IEC 27001. Management and the CISO carry out a risk analysis every
  six months; it sets our security objectives and key results (OKRs).
- Management follows up security and our controls in recurring ISMS management review meetings.
- Information security is a standing item of every team's meeting every other week.
- When someone leaves, or a customer ends their subscription, we follow the offboarding and data
  deletion checklists — no exceptions.

## 2. Accounts and access

- Your accounts are personal. **Never share a password, a session or a two-factor device.** All access to
  all systems is personally identifiable and logged.
- Use a unique password for every system, stored in the company password manager.
- Every administrative account uses two-factor authentication (2FA).
- You get the access your work needs and no more (least privilege). Ask for more through your manager;
  privileged access is reviewed every quarter.
"""

IT_SECURITY_DEVICES_V1 = """
## 3. Devices and networks

- Keep your laptop's disk encryption, screen lock (5 minutes) and automatic updates switched on.
- Lock your screen whenever you leave your computer, also in the office.
- Reach internal services only through the approved remote access and strict allow-lists.
"""

IT_SECURITY_DEVICES_V2 = """
## 3. Devices and networks

- Keep your laptop's disk encryption, screen lock (5 minutes) and automatic updates switched on. Devices
  that fall behind on updates lose access to internal services until they are patched.
- Lock your screen whenever you leave your computer, also in the office.
- **All access to internal services goes through the company VPN** and strict allow-lists. Never expose an
  internal service to the internet "just for a test".
- Do not connect unknown USB devices. Charge your phone from a power socket, not your laptop.
"""

IT_SECURITY_DEVICES_V3 = """
## 3. Devices and networks

- Keep your laptop's disk encryption, screen lock (5 minutes) and automatic updates switched on. Devices
  that fall behind on updates lose access to internal services until they are patched.
- Lock your screen whenever you leave your computer, also in the office.
- **All access to internal services goes through the company VPN** and strict allow-lists.
- Sign in with a **passkey or hardware security key** wherever a system offers it; authenticator-app codes
  remain allowed where it does not. SMS codes are no longer accepted.
- Do not connect unknown USB devices.
"""

IT_SECURITY_DATA = """
## 4. Customer data

- Each customer's data is kept separate from every other customer's, from authentication to storage. Never
  copy data from one customer's environment to another, or to your own machine.
- Data is encrypted in transit (TLS) and at rest (AES-256); secrets live in the key vault, never in code,
  tickets or chat.
- Use production data only for the task at hand. Test with generated data.
- Backups are taken daily, encrypted and kept for 7 days. We restore within 4 hours (RTO) and lose at most
  24 hours of data (RPO); operations tests this every year.
"""

IT_SECURITY_REPORTING_V1 = """
## 5. Incidents

Report anything that looks like a security incident to the security team at once: a lost device, a
suspicious e-mail you clicked, data sent to the wrong person. Reporting early is never wrong.
"""

IT_SECURITY_REPORTING_V2 = """
## 5. Phishing and incidents

- Treat unexpected links and attachments with suspicion, also from people you know. Use the **Report
  phishing** button in the mail client.
- Report anything that looks like a security incident in the portal (Incidents → Report) or to the security
  team at once: a lost device, a suspicious e-mail you clicked, data sent to the wrong person. Reporting early
  is never wrong, and nobody is blamed for reporting.
- Personal data breaches must be assessed within 72 hours, so do not wait until you are sure.
"""

IT_SECURITY_AI_V3 = """
## 6. AI assistants and online tools

- Use only the AI assistants and online tools on the approved list (see the intranet).
- **Never paste customer data, personal data, credentials or source code that is not public** into a tool
  that is not approved for it.
- You are responsible for what you publish or commit, also when a tool wrote it: review it as your own.
"""

IT_SECURITY_END = """
## {section}. Breaches of this policy

Breaking this policy may put our customers at risk. Breaches are handled with your manager and, where
needed, HR or the consultant's employer.

Questions: the CISO, ciso@demo.example.
"""

IT_SECURITY_VERSIONS = (
    (
        IT_SECURITY_INTRO
        + IT_SECURITY_DEVICES_V1
        + IT_SECURITY_DATA
        + IT_SECURITY_REPORTING_V1
        + IT_SECURITY_END.format(section=6),
        "First version.",
    ),
    (
        IT_SECURITY_INTRO
        + IT_SECURITY_DEVICES_V2
        + IT_SECURITY_DATA
        + IT_SECURITY_REPORTING_V2
        + IT_SECURITY_END.format(section=6),
        "All internal access through the VPN; the phishing report button; incidents reported in the portal.",
    ),
    (
        IT_SECURITY_INTRO
        + IT_SECURITY_DEVICES_V3
        + IT_SECURITY_DATA
        + IT_SECURITY_REPORTING_V2
        + IT_SECURITY_AI_V3
        + IT_SECURITY_END.format(section=7),
        "Passkeys or security keys instead of SMS codes; new section on AI assistants and online tools.",
    ),
)

ACCEPTABLE_USE = """\
# Acceptable use policy

**Applies to:** everyone using Demo Cloud AB's equipment, accounts and services — employees and consultants.

## What the company's IT is for

Company laptops, phones, accounts and cloud services are for your work. Occasional personal use (reading
the news, a bank errand) is fine as long as it does not get in the way of work or security.

## Never

- install software from outside the company's software catalogue without asking IT;
- turn off disk encryption, the firewall, the endpoint protection or automatic updates;
- store company or customer data in private cloud storage, private e-mail or on USB sticks;
- use company accounts for anything illegal, harassing or discriminatory;
- let family members or friends use your work computer.

## Working away from the office

- Use the company VPN on networks you do not control (hotels, cafés, trains).
- Take care that nobody can read your screen or overhear customer calls.
- Never leave your laptop unattended in a car or a public place.

## Monitoring

To protect our customers we log access to our systems and scan our devices for malware and
vulnerabilities. Logs are used for security and are handled according to the personal data handling
policy; they are not used to follow your everyday work.

## Leaving

When you leave, you hand back all equipment and the access you had is removed on your last day.
"""

PERSONAL_DATA_V1 = """\
# Personal data handling policy

**Applies to:** everyone who handles customers' or colleagues' personal data in their work.

We see protecting personal data and privacy as part of the quality of our service. This policy follows
the GDPR and our agreements with our customers (we are their processor).

## Principles

- **Collect as little as we can** (data minimisation, GDPR article 5). If a feature does not need a piece of
  personal data, we do not store it.
- **Keep it in Sweden.** All customer data — databases and object storage — is stored in Microsoft's
  Swedish data centres. Operations other than Microsoft's is done by our own staff in Sweden.
- **Prefer Swedish or European suppliers**; otherwise open-source software we can run ourselves with a
  Swedish or European provider. US sub-processors are used only with Standard Contractual Clauses.
- **Encrypt** personal data in transit, always, and at rest wherever possible.

## In your daily work

- Access customer data only when a task needs it, and only the data the task needs.
- Never export personal data to spreadsheets or your own machine unless a customer asked for it; delete
  the export when the task is done.
- Send personal data only through approved, encrypted channels — never in chat or ticket comments.

## Breaches and requests

- A personal data breach (data lost, sent to the wrong person, seen by someone who should not) is reported
  as an incident at once. We have 72 hours to notify the supervisory authority (IMY) and must tell our
  customers without undue delay.
- Requests from individuals (access, correction, erasure) are forwarded to the DPO, dpo@demo.example, the
  same day.
"""

PERSONAL_DATA_V2 = PERSONAL_DATA_V1.replace(
    "## Breaches and requests",
    """## Retention

- Customer data is deleted within 30 days after a subscription ends, backups included once they expire
  (7 days).
- Logs with personal data are kept for 12 months, then deleted.

## Breaches and requests""",
)


def _back(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def demo_ensure() -> None:
    """Create the demo records if missing; a second run changes nothing."""
    from accounts.models import User
    from accounts.roles import Role

    from . import services
    from .models import Acknowledgement, Policy, PolicyVersion

    people = {user.email.split("@")[0]: user for user in User.objects.filter(email__endswith="@demo.example")}
    ciso, security, management = people.get("ciso"), people.get("security"), people.get("management")
    if ciso is None or security is None or management is None:
        return

    def version(policy: Policy, number: int) -> PolicyVersion:
        return PolicyVersion.objects.get(policy=policy, number=number)

    def backdate(
        policy: Policy,
        number: int,
        written: int,
        approved: int | None = None,
        published: int | None = None,
        retired: int | None = None,
    ) -> None:
        fields = {"created_at": _back(written)}
        if approved is not None:
            fields["approved_at"] = _back(approved)
        if published is not None:
            fields["published_at"] = _back(published)
        if retired is not None:
            fields["retired_at"] = _back(retired)
        PolicyVersion.objects.filter(policy=policy, number=number).update(**fields)

    def acknowledge(person: str, policy: Policy, number: int, days_ago: int) -> None:
        user = people.get(person)
        if user is None:
            return
        acknowledgement = services.policy_acknowledge(user=user, version=version(policy, number))
        Acknowledgement.objects.filter(pk=acknowledgement.pk).update(acknowledged_at=_back(days_ago))

    if not Policy.objects.filter(title="IT security policy").exists():
        policy = services.policy_create(by=ciso, title="IT security policy", owner=ciso, onboarding=True)
        (body1, summary1), (body2, summary2), (body3, summary3) = IT_SECURITY_VERSIONS
        first = services.policy_version_create(policy=policy, by=ciso, body=body1, change_summary=summary1)
        services.policy_version_approve(version=first, by=management)
        services.policy_version_publish(version=first, by=management)
        acknowledge("staff", policy, 1, 400)
        acknowledge("operations", policy, 1, 398)
        second = services.policy_version_create(policy=policy, by=security, body=body2, change_summary=summary2)
        services.policy_version_approve(version=second, by=ciso)
        services.policy_version_publish(version=second, by=ciso)
        for person, days in (("ciso", 180), ("security", 179), ("operations", 175), ("management", 160)):
            acknowledge(person, policy, 2, days)
        services.policy_version_create(policy=policy, by=security, body=body3, change_summary=summary3)
        backdate(policy, 1, written=430, approved=425, published=420, retired=181)
        backdate(policy, 2, written=190, approved=185, published=181)
        backdate(policy, 3, written=6)

    if not Policy.objects.filter(title="Acceptable use policy").exists():
        policy = services.policy_create(by=ciso, title="Acceptable use policy", owner=security)
        first = services.policy_version_create(
            policy=policy, by=security, body=ACCEPTABLE_USE, change_summary="First version."
        )
        services.policy_version_approve(version=first, by=ciso)
        services.policy_version_publish(version=first, by=ciso)
        for person, days in (("staff", 90), ("security", 95), ("ciso", 95)):
            acknowledge(person, policy, 1, days)
        backdate(policy, 1, written=110, approved=100, published=96)

    if not Policy.objects.filter(title="Personal data handling policy").exists():
        policy = services.policy_create(
            by=ciso,
            title="Personal data handling policy",
            owner=ciso,
            audience=[Role.CISO, Role.SECURITY, Role.OPERATIONS, Role.STAFF, Role.EXTERNAL],
        )
        first = services.policy_version_create(
            policy=policy, by=ciso, body=PERSONAL_DATA_V1, change_summary="First version."
        )
        services.policy_version_approve(version=first, by=management)
        services.policy_version_publish(version=first, by=management)
        for person, days in (("operations", 60), ("security", 58)):
            acknowledge(person, policy, 1, days)
        second = services.policy_version_create(
            policy=policy,
            by=security,
            body=PERSONAL_DATA_V2,
            change_summary="Retention periods for customer data and logs.",
        )
        services.policy_version_approve(version=second, by=ciso)
        backdate(policy, 1, written=75, approved=70, published=65)
        backdate(policy, 2, written=10, approved=3)
