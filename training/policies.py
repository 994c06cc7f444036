"""Who may take, write and assign training modules, and who sees whose training record.

Roles (model permissions in ``accounts/roles.py``):
- everyone takes the active modules of their audience (their roles, or modules for everyone) and any module
  assigned to them, and sees their own assignments, attempts and completions;
- CISO and Security write modules and see every module, inactive ones included (``training.change_module``);
- the CISO sees everyone's assignments and assigns modules (``training.view_assignment``, ``training.add_assignment``);
- CISO, Management and Auditor read the compliance view and each person's record (``training.view_compliance``);
- Admin and CISO set the onboarding due time (``training.change_trainingsettings``).
"""

from django.db.models import Q, QuerySet

from accounts.models import User
from core.policies import BasePolicy, Person

from .models import Assignment, Module


def audience_q(user: Person) -> Q:
    return Q(audience=[]) | Q(audience__overlap=list(BasePolicy.roles_of(user)))


class TrainingPolicy(BasePolicy):
    def can_manage_modules(self, user: Person) -> bool:
        return self.allows(user, "training.change_module")

    def can_create_module(self, user: Person) -> bool:
        return self.allows(user, "training.add_module")

    def can_assign(self, user: Person) -> bool:
        return self.allows(user, "training.add_assignment")

    def can_view_compliance(self, user: Person) -> bool:
        return self.allows(user, "training.view_compliance")

    def can_change_settings(self, user: Person) -> bool:
        return self.allows(user, "training.change_trainingsettings")

    def modules_visible(self, user: Person, modules: QuerySet[Module]) -> QuerySet[Module]:
        """Writers see every module; everyone else the active modules of their audience and those assigned to them."""
        if not self.active(user):
            return modules.none()
        if user.has_perm("training.view_module"):
            return modules
        assigned = Assignment.objects.filter(user=user.pk, module__isnull=False).values("module_id")
        return modules.filter(Q(active=True) & (audience_q(user) | Q(pk__in=assigned)))

    def can_take(self, user: Person, module: Module) -> bool:
        """Take the module (quiz, acknowledgement, completion): in its audience, or assigned to it."""
        if not self.active(user) or not module.active:
            return False
        return (
            module.is_for(BasePolicy.roles_of(user)) or Assignment.objects.filter(user=user.pk, module=module).exists()
        )

    def assignments_visible(self, user: Person, assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
        if not self.active(user):
            return assignments.none()
        if user.has_perm("training.view_assignment") or user.has_perm("training.view_compliance"):
            return assignments
        return assignments.filter(user=user.pk)

    def can_view_person(self, user: Person, person: User) -> bool:
        """A person's training record: their own, or anyone's for the compliance readers and the CISO."""
        if not self.active(user):
            return False
        return bool(
            person.pk == user.pk
            or user.has_perm("training.view_compliance")
            or user.has_perm("training.view_assignment")
        )


training_policy = TrainingPolicy()
