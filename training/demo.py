"""Demo data of the training app for the demo tenant (called inside the tenant's schema and a transaction).

Two modules — the onboarding module "Security onboarding" (how we secure our customers' data, a four-question
quiz, the IT security policy to acknowledge) and the annual "Phishing awareness" — and the demo people's
assignments: some done, some open, some overdue. Runs after the policies demo; without an IT security policy the
onboarding module simply asks no acknowledgement.
"""

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from policies.models import Policy

SECURITY_ONBOARDING = """\
Our customers trust us with the most important thing they have: their own customers' data, and with it their
customers' trust in them. This module explains how we protect that data and what we expect of you. Read it, take
the short quiz, and acknowledge the IT security policy at the end.

## How we work

We work risk-based, following ISO/IEC 27001, to deliver a service with world-class security and to improve it
every day:

- Management and the CISO carry out a **risk analysis every six months**; it is the basis of our security
  objectives and key results (OKRs).
- Management follows up our security work and controls in recurring **ISMS management review** meetings.
- **Every employee and consultant is trained in our IT security policy** as part of their onboarding — that is
  what you are doing now.
- Information security is a **standing item of our team meetings every other week**.
- We have clear processes for handling data safely when people leave or customers end their subscriptions.

## Who does what

**The security team** works towards the security OKRs, makes sure our security policies are followed, monitors
the software supply chain for vulnerabilities, prioritises upgrades and patches by CVSS score, reviews privileged
access, evaluates our suppliers and tests our infrastructure regularly, with external penetration tests after
major changes.

**The operations team** works from the operations runbook to meet our SLAs, monitors and reports security and
operational incidents, patches third-party software and tests our disaster recovery once a year.

**The development team** builds security in from the start (for example the OWASP Top 10) and patches our own
software.

## Our platform

- Each customer's data is kept **separate from every other customer's**, from authentication to storage and
  processing: separately in the database and in object storage.
- Every application uses its own credentials, following the **principle of least privilege**.
- Several layers of access control: customers decide which of their people get which rights, and which users may
  see which records.
- **Every administrative account uses two-factor authentication.**
- **All access to all systems is personal and logged.** Never share your account.
- We scan continuously for vulnerabilities and anomalies, and keep base images minimal.
- Data is **encrypted in transit (TLS)** and **at rest (AES-256)**; secrets live in a key vault.
- Backups are taken **daily, encrypted and kept for 7 days**. We restore within **4 hours (RTO)** and lose at most
  **24 hours of data (RPO)**.

## Personal data

We collect as little personal data as we can (GDPR article 5, data minimisation), encrypt it in transit and at
rest, prefer Swedish or European suppliers, and train everyone who joins in handling personal data correctly.

## What we expect of you

- Report anything suspicious — an odd e-mail, a lost laptop, data sent to the wrong person — to the security team
  at once. Reporting early is never wrong.
- Use two-factor authentication wherever it is offered and never reuse passwords.
- Only access the customer data your task needs.

Questions? Ask the CISO.
"""

SECURITY_QUIZ = """\
Q: How often do management and the CISO carry out a risk analysis?
[ ] Once a year
[x] Every six months
[ ] Only after an incident

Q: Which accounts must use two-factor authentication?
[x] Every administrative account
[ ] Only the CISO's account
[ ] None: strong passwords are enough

Q: How long are our encrypted backups kept?
[ ] 24 hours
[x] 7 days
[ ] One year

Q: You sent a file with personal data to the wrong customer. What do you do?
[x] Report it to the security team at once
[ ] Nothing, if the customer does not complain
[ ] Delete your sent e-mail
"""

PHISHING = """\
Phishing is still the most common way into a company. Attackers imitate colleagues, suppliers and well-known
services to make you click a link, open an attachment or type your password into their page.

## Signs of phishing

- Urgency or pressure: "your account is closed in one hour", "the CEO needs this now".
- A sender address or link that is *almost* right (`examp1e.com`, `example.com.login-check.net`).
- Unexpected attachments, invoices or shared documents.
- Requests to bypass the normal process: change bank details, buy gift cards, share a code.

## What to do

1. Do not click, open or reply.
2. Report the message to the security team (forward it as an attachment).
3. If you already clicked or typed your password: change it and tell the security team **at once** — early
   reports limit the damage.

Two-factor authentication protects you even when a password leaks: never approve a sign-in you did not start,
and never read a code out to anyone.
"""

PHISHING_QUIZ = """\
Q: Which are signs of phishing?
[x] Urgency or pressure to act now
[x] A link to an address that is almost right
[ ] An e-mail from a colleague about a meeting you booked

Q: You typed your password into a suspicious page. What now?
[ ] Wait and see whether anything happens
[x] Change the password and tell the security team at once

Q: Your phone asks you to approve a sign-in you did not start. What do you do?
[x] Deny it and report it
[ ] Approve it to make the prompt go away
"""


def _it_security_policy() -> "Policy | None":
    from policies.models import Policy

    policies = Policy.objects.filter(onboarding=True)
    return policies.filter(title__icontains="IT security").first() or policies.order_by("title").first()


def demo_ensure() -> None:
    """Create the demo records if missing; a second run changes nothing."""
    from accounts.models import User
    from training import services
    from training.models import Assignment, Attempt, Completion, Module
    from training.quiz import quiz_parse

    if Module.objects.filter(title="Security onboarding").exists():
        return
    ciso = User.objects.filter(email="ciso@demo.example").first()
    if ciso is None:
        return
    policy = _it_security_policy()
    onboarding = services.module_create(
        by=ciso,
        title="Security onboarding",
        summary="How we secure our customers' data, and what we expect of you.",
        content=SECURITY_ONBOARDING,
        onboarding=True,
        pass_mark=75,
        validity_months=0,
        policies=[policy] if policy else [],
        questions=quiz_parse(SECURITY_QUIZ),
    )
    phishing = services.module_create(
        by=ciso,
        title="Phishing awareness",
        summary="Recognise and report phishing; taken every year.",
        content=PHISHING,
        onboarding=False,
        pass_mark=100,
        validity_months=12,
        questions=quiz_parse(PHISHING_QUIZ),
    )
    today = timezone.localdate()
    people = {user.email.split("@")[0]: user for user in User.objects.filter(email__endswith="@demo.example")}

    def joined(name: str, days_ago: int) -> None:
        if name in people:
            services.onboarding_assign(user=people[name], today=today - dt.timedelta(days=days_ago))

    def complete(name: str, module: Module, days_ago: int = 0) -> None:
        """Take the module as the person did ``days_ago`` days ago (the record shows that time)."""
        person = people.get(name)
        if person is None:
            return
        if module.questions.exists():
            answers = {
                question.pk: [option.pk for option in question.options.all() if option.correct]
                for question in module.questions.prefetch_related("options")
            }
            services.attempt_submit(user=person, module=module, answers=answers)
        completion = services.module_complete(
            user=person, module=module, acknowledged=services.versions_to_acknowledge(module, person)
        )
        if days_ago:
            when = timezone.now() - dt.timedelta(days=days_ago)
            expires = module.expiry_after(timezone.localdate(when))
            Completion.objects.filter(pk=completion.pk).update(completed_at=when, expires_on=expires)
            Assignment.objects.filter(completion=completion).update(completed_at=when)
            Attempt.objects.filter(user=person, module=module).update(submitted_at=when)

    # Onboarding: Sam (security) and Olle (operations) joined weeks ago; Sam finished, Olle is overdue.
    # Stina (staff) joined last week and has time left. Maria (management) failed the quiz once, then passed.
    joined("security", 40)
    joined("operations", 30)
    joined("staff", 5)
    joined("management", 20)
    complete("security", onboarding, days_ago=35)
    management = people.get("management")
    if management is not None:
        wrong = {
            question.pk: [option.pk for option in question.options.all() if not option.correct][:1]
            for question in onboarding.questions.prefetch_related("options")
        }
        services.attempt_submit(user=management, module=onboarding, answers=wrong)
        complete("management", onboarding, days_ago=15)
    # Phishing awareness for everyone, due in three weeks; Sam and Cecilia have done it already.
    services.module_assign(module=phishing, by=ciso, due_date=today + dt.timedelta(days=21))
    complete("security", phishing, days_ago=2)
    complete("ciso", phishing, days_ago=1)
    # Anders (auditor) let last year's assignment slip: overdue.
    auditor = people.get("auditor")
    if auditor is not None:
        Assignment.objects.filter(user=auditor, module=phishing, status=Assignment.Status.OPEN).update(
            due_date=today - dt.timedelta(days=4)
        )
