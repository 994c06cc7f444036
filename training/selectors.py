"""Reads of the training app, filtered by the reader's reach, each at a fixed number of queries.

Compliance counts *duties*: one per person and module, and one per person and policy, that the person was
assigned (superseded assignments aside), for active people. A module duty is done while a completion is valid,
a policy duty when its latest assignment's version was acknowledged; an undone duty whose latest assignment is
past its due date is overdue.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from policies.models import Acknowledgement, PolicyVersion

from .models import Assignment, Attempt, Completion, Module
from .policies import training_policy


def modules_visible_to(reader: Any, filters: dict[str, Any] | None = None) -> QuerySet[Module]:
    filters = filters or {}
    modules = training_policy.modules_visible(reader, Module.objects.all()).prefetch_related("policies", "questions")
    if filters.get("q"):
        modules = modules.filter(Q(title__icontains=filters["q"]) | Q(summary__icontains=filters["q"]))
    if filters.get("onboarding") == "yes":
        modules = modules.filter(onboarding=True)
    elif filters.get("onboarding") == "no":
        modules = modules.filter(onboarding=False)
    if filters.get("state") == "active":
        modules = modules.filter(active=True)
    elif filters.get("state") == "inactive":
        modules = modules.filter(active=False)
    return modules.order_by("title")


def module_for(reader: Any, pk: int) -> Module | None:
    return training_policy.modules_visible(reader, Module.objects.all()).filter(pk=pk).first()


def _assignments() -> QuerySet[Assignment]:
    return Assignment.objects.select_related("module", "version__policy", "user")


def assignments_open_for(user: Any) -> list[Assignment]:
    """What is left for ``user``: their open assignments, soonest due first."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(_assignments().filter(user=user, status=Assignment.Status.OPEN).order_by("due_date", "pk"))


def dashboard_panel(request: Any) -> dict[str, Any] | None:
    """The dashboard's "What is left for you" panel: shown only while something is open."""
    open_assignments = assignments_open_for(request.user)
    return {"open": open_assignments} if open_assignments else None


def assignment_for(reader: Any, pk: int) -> Assignment | None:
    return training_policy.assignments_visible(reader, _assignments()).filter(pk=pk).first()


@dataclass
class ModuleState:
    module: Module
    completion: Completion | None  # the latest
    assignment: Assignment | None  # the open one

    def valid(self, today: dt.date) -> bool:
        return self.completion is not None and self.completion.is_valid(today)


def my_modules(user: Any) -> list[ModuleState]:
    """The modules ``user`` may take, each with their latest completion and open assignment (three queries)."""
    modules = list(modules_visible_to(user, {"state": "active"}))
    latest: dict[int, Completion] = {}
    for completion in Completion.objects.filter(user=user).order_by("completed_at"):
        latest[completion.module_id] = completion
    open_ones = {
        a.module_id: a
        for a in Assignment.objects.filter(user=user, status=Assignment.Status.OPEN, module__isnull=False)
    }
    return [ModuleState(m, latest.get(m.pk), open_ones.get(m.pk)) for m in modules]


# --- compliance ---------------------------------------------------------------------------


@dataclass
class Tally:
    label: str
    total: int = 0
    done: int = 0
    overdue: int = 0
    key: int = 0  # the module's or policy's id

    @property
    def percent(self) -> int:
        return self.done * 100 // self.total if self.total else 100

    @property
    def open(self) -> int:
        return self.total - self.done


@dataclass
class Duty:
    user_id: int
    label: str
    kind: str  # "module" or "policy"
    key: int  # module id or policy id
    due_date: dt.date
    done: bool
    overdue: bool


@dataclass
class PersonRow:
    person: User
    roles: list[str]
    tally: Tally
    overdue_items: list[Duty] = field(default_factory=list)


@dataclass
class Compliance:
    today: dt.date
    overall: Tally
    modules: list[Tally]
    policies: list[Tally]
    roles: list[Tally]
    people: list[PersonRow]
    overdue: list[tuple[User, Duty]]
    onboarding_total: int
    onboarding_on_time: int

    @property
    def onboarding_percent(self) -> int:
        return self.onboarding_on_time * 100 // self.onboarding_total if self.onboarding_total else 100


def duties(today: dt.date, users: QuerySet[User] | None = None) -> list[Duty]:
    """Every duty of the active people (``users`` to narrow), three queries."""
    people = users if users is not None else User.objects.filter(is_active=True)
    assignments = (
        Assignment.objects.filter(user__in=people.values("pk"))
        .exclude(status=Assignment.Status.SUPERSEDED)
        .select_related("module", "version__policy")
        .order_by("pk")
    )
    valid = set(
        Completion.objects.filter(user__in=people.values("pk"))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=today))
        .values_list("user_id", "module_id")
    )
    latest: dict[tuple[int, str, int], Assignment] = {}
    for assignment in assignments:
        if assignment.module_id is not None:
            latest[(assignment.user_id, "module", assignment.module_id)] = assignment
        else:
            assert assignment.version is not None  # noqa: S101 — type narrowing for mypy, not a runtime check
            latest[(assignment.user_id, "policy", assignment.version.policy_id)] = assignment
    result = []
    for (user_id, kind, key), assignment in latest.items():
        if kind == "module":
            done = (user_id, key) in valid
            label = str(assignment.module)
        else:
            done = assignment.status == Assignment.Status.DONE
            assert assignment.version is not None  # noqa: S101 — type narrowing for mypy, not a runtime check
            label = str(assignment.version.policy)
        overdue = not done and assignment.status == Assignment.Status.OPEN and assignment.due_date < today
        result.append(Duty(user_id, label, kind, key, assignment.due_date, done, overdue))
    return result


def _roles_by_user(user_ids: set[int]) -> dict[int, list[str]]:
    roles: dict[int, list[str]] = defaultdict(list)
    for user_id, name in User.groups.through.objects.filter(user_id__in=user_ids).values_list("user_id", "group__name"):
        roles[user_id].append(name)
    return roles


def _onboarding(since: dt.date | None, until: dt.date) -> tuple[int, int]:
    """People whose onboarding set fell due within (since, until]: how many, and how many finished it on time."""
    rows = Assignment.objects.filter(reason=Assignment.Reason.ONBOARDING, user__is_active=True).exclude(
        status=Assignment.Status.SUPERSEDED
    )
    per_person: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in rows.only("user_id", "due_date", "status", "completed_at"):
        per_person[assignment.user_id].append(assignment)
    total = on_time = 0
    for items in per_person.values():
        due = max(item.due_date for item in items)
        finished = all(item.status == Assignment.Status.DONE for item in items)
        if due > until and not finished:
            continue  # still within its time
        if since is not None and due <= since:
            continue
        total += 1
        if finished and all(
            item.completed_at is not None and timezone.localdate(item.completed_at) <= item.due_date for item in items
        ):
            on_time += 1
    return total, on_time


def compliance(today: dt.date | None = None) -> Compliance:
    """The compliance view's figures (a fixed number of queries, whatever the number of people)."""
    today = today or timezone.localdate()
    all_duties = duties(today)
    people = {user.pk: user for user in User.objects.filter(is_active=True).order_by("full_name", "email")}
    roles = _roles_by_user(set(people))
    overall = Tally(label="")
    by_module: dict[int, Tally] = {}
    by_policy: dict[int, Tally] = {}
    by_role: dict[str, Tally] = {role.value: Tally(label=str(role.label)) for role in Role}
    by_person: dict[int, PersonRow] = {}
    overdue: list[tuple[User, Duty]] = []
    for duty in all_duties:
        person = people.get(duty.user_id)
        if person is None:
            continue
        group = by_module if duty.kind == "module" else by_policy
        tallies = [overall, group.setdefault(duty.key, Tally(label=duty.label, key=duty.key))]
        tallies += [by_role[name] for name in roles.get(duty.user_id, []) if name in by_role]
        row = by_person.setdefault(duty.user_id, PersonRow(person, roles.get(duty.user_id, []), Tally(label="")))
        tallies.append(row.tally)
        for tally in tallies:
            tally.total += 1
            tally.done += duty.done
            tally.overdue += duty.overdue
        if duty.overdue:
            row.overdue_items.append(duty)
            overdue.append((person, duty))
    modules = [by_module[pk] for pk in sorted(by_module, key=lambda pk: by_module[pk].label)]
    onboarding_total, onboarding_on_time = _onboarding(None, today)
    return Compliance(
        today=today,
        overall=overall,
        modules=modules,
        policies=sorted(by_policy.values(), key=lambda tally: tally.label),
        roles=[tally for tally in by_role.values() if tally.total],
        people=sorted(by_person.values(), key=lambda row: (str(row.person).lower(), row.person.pk)),
        overdue=sorted(overdue, key=lambda item: (item[1].due_date, str(item[0]))),
        onboarding_total=onboarding_total,
        onboarding_on_time=onboarding_on_time,
    )


def evidence_rows(reader: Any) -> QuerySet[Assignment]:
    """Every assignment with its person, subject and completion, for the evidence export."""
    return (
        training_policy.assignments_visible(reader, _assignments())
        .select_related("completion")
        .prefetch_related("completion__versions__policy", "user__groups", "acknowledgement__version")
        .order_by("user__full_name", "user__email", "pk")
    )


# --- one person's record ------------------------------------------------------------------


@dataclass
class PersonRecord:
    person: User
    assignments: list[Assignment]
    attempts: list[Attempt]
    completions: list[Completion]
    acknowledgements: list[Acknowledgement]


def person_record(person: User) -> PersonRecord:
    return PersonRecord(
        person=person,
        assignments=list(_assignments().filter(user=person).order_by("-assigned_at", "-pk")),
        attempts=list(Attempt.objects.filter(user=person).select_related("module")),
        completions=list(
            Completion.objects.filter(user=person)
            .select_related("module")
            .prefetch_related(
                Prefetch("versions", queryset=PolicyVersion.objects.select_related("policy"), to_attr="acknowledged")
            )
        ),
        acknowledgements=list(
            Acknowledgement.objects.filter(user=person).select_related("version__policy").order_by("-acknowledged_at")
        ),
    )


def person_for(reader: Any, pk: int) -> User | None:
    person = User.objects.filter(pk=pk).first()
    if person is None or not training_policy.can_view_person(reader, person):
        return None
    return person


# --- the management review's agenda -------------------------------------------------------


def figures_for_review(since: dt.date | None, until: dt.date) -> dict[str, Any]:
    """Section d (awareness): overall completion, overdue count, onboarding finished within its due date."""
    from django.utils.translation import gettext as _

    figures = compliance(until)
    total, on_time = _onboarding(since, until)
    onboarding = f"{on_time} / {total}" + (f" ({on_time * 100 // total} %)" if total else "")
    return {
        "rows": [
            [_("Training and acknowledgements completed"), f"{figures.overall.percent} %"],
            [_("Overdue"), figures.overall.overdue],
            [_("Onboarding completed within its due date"), onboarding],
        ],
        "items": [[f"{tally.label}: {tally.percent} %", ""] for tally in figures.modules],
        "note": "",
    }
