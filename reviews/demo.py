"""Demo data of the reviews app for the demo tenant (called inside the tenant's schema and a transaction)."""

import datetime as dt

from django.utils import timezone

from accounts.models import User

from .models import ActionItem, AgendaSection, Decision, RaisedIssue, ReviewMeeting, Section, TeamMeeting

HELD_TITLE = "Management review 2026 H1"
PLANNED_TITLE = "Management review 2026 H2"


def _person(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def demo_ensure() -> None:
    """Create the demo records if missing; a second run changes nothing.

    Written with the ORM (not the services) because the held review's snapshot and approval are
    back-dated to a meeting that "took place" months ago; the services would stamp today.
    """
    ciso, management = _person("ciso@demo.example"), _person("management@demo.example")
    security, operations = _person("security@demo.example"), _person("operations@demo.example")
    if not (ciso and management and security and operations):
        return
    today = timezone.localdate()
    if not ReviewMeeting.objects.filter(title=HELD_TITLE).exists():
        _held_review(ciso, management, security, operations, today)
    if not ReviewMeeting.objects.filter(title=PLANNED_TITLE).exists():
        planned = ReviewMeeting.objects.create(
            title=PLANNED_TITLE, date=today + dt.timedelta(days=21), chair=management, planned_by=ciso
        )
        planned.attendees.set([ciso, management, security])
        AgendaSection.objects.bulk_create(AgendaSection(meeting=planned, section=value) for value in Section.values)
        AgendaSection.objects.filter(meeting=planned, section="b").update(
            input="NIS2 transposed into Swedish law; we are in scope as a digital infrastructure provider."
        )
        AgendaSection.objects.filter(meeting=planned, section="c").update(
            input="Two enterprise customers now require SOC 2 Type II reports alongside ISO/IEC 27001."
        )
    if not TeamMeeting.objects.exists():
        _team_meetings(ciso, security, operations, today)


def _held_review(ciso: User, management: User, security: User, operations: User, today: dt.date) -> None:
    date = today - dt.timedelta(days=150)
    held_at = timezone.now() - dt.timedelta(days=150)
    meeting = ReviewMeeting.objects.create(
        title=HELD_TITLE,
        date=date,
        chair=management,
        planned_by=ciso,
        status=ReviewMeeting.Status.APPROVED,
        held_at=held_at,
        held_by=ciso,
        approved_at=held_at + dt.timedelta(days=3),
        approved_by=management,
        snapshot={
            "taken_at": held_at.isoformat(),
            "since": None,
            "previous": "",
            "feeds": [
                {
                    "key": "review_actions",
                    "section": "a",
                    "title": "Review actions",
                    "figures": {
                        "rows": [["Open actions", 0], ["Of which overdue", 0], ["Closed since the last review", 0]],
                        "items": [],
                        "note": "No open actions from earlier reviews.",
                    },
                },
                {
                    "key": "objectives",
                    "section": "d",
                    "title": "Security objectives",
                    "figures": {
                        "rows": [["Security objectives", 2], ["On track", 1], ["At risk", 1], ["Off track", 0]],
                        "items": [],
                        "note": "",
                    },
                },
                {
                    "key": "backups",
                    "section": "d",
                    "title": "Backups and restore drills",
                    "figures": {
                        "rows": [
                            ["Last successful backup", f"{date - dt.timedelta(days=1):%Y-%m-%d}"],
                            ["Failed backups since the last review", 1],
                            ["Last restore drill", f"{date - dt.timedelta(days=4):%Y-%m-%d} · Passed"],
                            ["Restore time within RTO (4 h)", "yes"],
                            ["Backup age within RPO (24 h)", "yes"],
                        ],
                        "items": [],
                        "note": "",
                    },
                },
                {
                    "key": "risks",
                    "section": "f",
                    "title": "Risk assessment and treatment",
                    "figures": {
                        "rows": [
                            ["Latest signed-off risk analysis", f"2025 H2 ({date - dt.timedelta(days=40):%Y-%m-%d})"],
                            ["Risks in the analysis", 6],
                            ["Risk level: Critical", 1],
                            ["Risk level: High", 3],
                            ["Risk level: Medium", 1],
                            ["Risk level: Low", 1],
                            ["Treatment actions open", 4],
                            ["Treatment actions overdue", 1],
                            ["Treatment actions done", 7],
                        ],
                        "items": [],
                        "note": "",
                    },
                },
            ],
        },
    )
    meeting.attendees.set([ciso, management, security, operations])
    ReviewMeeting.objects.filter(pk=meeting.pk).update(created_at=held_at - dt.timedelta(days=30))
    notes = {
        "a": "First management review held in the portal; no earlier actions.",
        "b": "New payment provider contract; the office move to Kungsholmen is planned for Q3.",
        "c": "Customers ask for a named security contact and yearly penetration test summaries.",
        "d": "One phishing incident without data loss. The failed backup was a full disk; alerting added.",
        "e": "Staff survey: the onboarding training is too long; shorten it.",
        "f": "Phishing of admin accounts remains the top risk until phishing-resistant MFA is rolled out.",
        "g": "Automate the quarterly access review; move restore drills to weekly.",
    }
    AgendaSection.objects.bulk_create(
        AgendaSection(meeting=meeting, section=value, notes=notes[value]) for value in Section.values
    )
    Decision.objects.bulk_create(
        [
            Decision(
                meeting=meeting,
                kind=Decision.Kind.ISMS_CHANGE,
                text="Phishing-resistant MFA (FIDO2 keys) for every administrator by the end of Q3.",
                created_by=ciso,
            ),
            Decision(
                meeting=meeting,
                kind=Decision.Kind.IMPROVEMENT,
                text="Restore drills run weekly instead of monthly.",
                created_by=ciso,
            ),
            Decision(
                meeting=meeting,
                kind=Decision.Kind.RESOURCES,
                text="Budget for an external penetration test in the autumn.",
                created_by=ciso,
            ),
        ]
    )
    ActionItem.objects.create(
        meeting=meeting,
        title="Move restore drills to a weekly schedule",
        owner=operations,
        due_date=date + dt.timedelta(days=30),
        status=ActionItem.Status.DONE,
        closed_at=held_at + dt.timedelta(days=20),
        created_by=ciso,
    )
    ActionItem.objects.create(
        meeting=meeting,
        title="Roll out FIDO2 security keys to all administrators",
        owner=security,
        due_date=today + dt.timedelta(days=10),
        status=ActionItem.Status.IN_PROGRESS,
        created_by=ciso,
    )


def _team_meetings(ciso: User, security: User, operations: User, today: dt.date) -> None:
    first = TeamMeeting.objects.create(
        date=today - dt.timedelta(days=16),
        team="Platform operations",
        notes=(
            "Patch status reviewed: all production hosts on the October kernel. "
            "Reminder about tailgating at the office door."
        ),
        recorded_by=operations,
    )
    first.attendees.set([operations, security])
    RaisedIssue.objects.create(
        meeting=first,
        text="A contractor's laptop was left unlocked in the meeting room overnight.",
        outcome=RaisedIssue.Outcome.NOTED,
        raised_by=operations,
    )
    second = TeamMeeting.objects.create(
        date=today - dt.timedelta(days=2),
        team="Customer support",
        notes="Phishing simulation results discussed: 4 of 18 clicked. Walked through how to report a suspicious mail.",
        recorded_by=security,
    )
    second.attendees.set([security, ciso])
    issue = RaisedIssue.objects.create(
        meeting=second,
        text="Support agents share one login for the ticket system's admin view.",
        outcome=RaisedIssue.Outcome.ACTION,
        raised_by=security,
    )
    ActionItem.objects.create(
        issue=issue,
        title="Give every support agent a personal admin login and remove the shared one",
        owner=operations,
        due_date=today + dt.timedelta(days=14),
        created_by=security,
    )
    RaisedIssue.objects.create(
        meeting=second,
        text="Customers send ID documents as e-mail attachments; should we offer an upload form?",
        raised_by=security,
    )
