"""The roles every tenant has, seeded as Groups (their model permissions grow with each app)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "Admin", _("Admin")
    CISO = "CISO", _("CISO")
    SECURITY = "Security", _("Security")
    OPERATIONS = "Operations", _("Operations")
    MANAGEMENT = "Management", _("Management")
    STAFF = "Staff", _("Staff")
    AUDITOR = "Auditor", _("Auditor")
    EXTERNAL = "External", _("External")


# Roles that must use two-factor authentication (enforced with django-otp).
PRIVILEGED_ROLES = frozenset({Role.ADMIN, Role.CISO, Role.SECURITY, Role.MANAGEMENT})

# Model permissions per role ("app_label.codename"). Each app adds its own as it arrives;
# roles_seed() makes every tenant's groups match this table.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            "accounts.view_user",
            "accounts.change_user",
            "accounts.add_invitation",
            "accounts.view_invitation",
            "accounts.view_offboardingrecord",
            "accounts.add_offboardingrecord",
            "audit.view_auditevent",
            "risks.change_riskmatrix",
        }
    ),
    Role.CISO: frozenset(
        {
            "accounts.view_user",
            "accounts.view_offboardingrecord",
            "audit.view_auditevent",
            "risks.view_risk",
            "risks.add_risk",
            "risks.change_risk",
            "controls.view_control",
            "controls.change_control",
            "risks.accept_risk",
            "risks.change_riskmatrix",
        }
    ),
    Role.SECURITY: frozenset(
        {
            "accounts.view_user",
            "risks.view_risk",
            "risks.add_risk",
            "risks.change_risk",
            "controls.view_control",
            "controls.change_control",
        }
    ),
    Role.OPERATIONS: frozenset(),
    Role.MANAGEMENT: frozenset({"accounts.view_user", "risks.view_risk", "risks.accept_risk", "controls.view_control"}),
    Role.STAFF: frozenset(),
    Role.AUDITOR: frozenset(
        {
            "accounts.view_user",
            "accounts.view_offboardingrecord",
            "audit.view_auditevent",
            "risks.view_risk",
            "controls.view_control",
        }
    ),
    Role.EXTERNAL: frozenset(),
}

# Semiannual risk analyses: run by the CISO and the security team, read by Management and Auditors.
_RISK_ANALYSES: dict[str, frozenset[str]] = {
    Role.CISO: frozenset({"risks.view_riskanalysis", "risks.add_riskanalysis", "risks.change_riskanalysis"}),
    Role.SECURITY: frozenset({"risks.view_riskanalysis", "risks.add_riskanalysis", "risks.change_riskanalysis"}),
    Role.MANAGEMENT: frozenset({"risks.view_riskanalysis"}),
    Role.AUDITOR: frozenset({"risks.view_riskanalysis"}),
}
for _role, _permissions in _RISK_ANALYSES.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _permissions

# Security objectives (ISO/IEC 27001 6.2): set by the CISO and the security team, read by Management and
# Auditors; an objective's owner reads it and updates its key results through the policy, not a role.
_OBJECTIVES: dict[str, frozenset[str]] = {
    Role.CISO: frozenset({"objectives.view_objective", "objectives.add_objective", "objectives.change_objective"}),
    Role.SECURITY: frozenset({"objectives.view_objective", "objectives.add_objective", "objectives.change_objective"}),
    Role.MANAGEMENT: frozenset({"objectives.view_objective"}),
    Role.AUDITOR: frozenset({"objectives.view_objective"}),
}
for _role, _permissions in _OBJECTIVES.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _permissions

# Operations (backups and restore drills): the tenant's Admins and CISO.
_OPERATIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"backups.view_backuprecord", "backups.add_restoredrill"}),
    Role.CISO: frozenset({"backups.view_backuprecord", "backups.add_restoredrill"}),
}
for _role, _permissions in _OPERATIONS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _permissions

# --- incidents (issue 6): incident log, corrective actions, attachments ---
# Anyone signed in reports incidents and sees their own reports (policy, no permission needed). Operations,
# Security and the CISO handle every incident; Management and Auditors read every one (and the dashboard).
_INCIDENTS: dict[str, frozenset[str]] = {
    Role.CISO: frozenset({"incidents.view_incident", "incidents.add_incident", "incidents.change_incident"}),
    Role.SECURITY: frozenset({"incidents.view_incident", "incidents.add_incident", "incidents.change_incident"}),
    Role.OPERATIONS: frozenset({"incidents.view_incident", "incidents.add_incident", "incidents.change_incident"}),
    Role.MANAGEMENT: frozenset({"incidents.view_incident"}),
    Role.AUDITOR: frozenset({"incidents.view_incident"}),
}
for _role, _permissions in _INCIDENTS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _permissions

# --- reviews (issue 6): management review meetings (§9.3) and team meeting records ---
# CISO and Security plan reviews, mark them held and write the minutes; Management reads every review and
# approves the minutes; Auditors read. Team meeting records (the fortnightly security standing item) are
# recorded by Operations, Security, the CISO and Management, and read by Auditors. An action item's owner
# sees and updates it through the policy, not a role.
_REVIEW_TEAM_MEETINGS = frozenset({"reviews.view_teammeeting", "reviews.add_teammeeting", "reviews.change_teammeeting"})
_REVIEWS: dict[str, frozenset[str]] = {
    Role.CISO: frozenset({"reviews.view_reviewmeeting", "reviews.add_reviewmeeting", "reviews.change_reviewmeeting"})
    | _REVIEW_TEAM_MEETINGS,
    Role.SECURITY: frozenset(
        {"reviews.view_reviewmeeting", "reviews.add_reviewmeeting", "reviews.change_reviewmeeting"}
    )
    | _REVIEW_TEAM_MEETINGS,
    Role.MANAGEMENT: frozenset({"reviews.view_reviewmeeting", "reviews.approve_reviewmeeting"}) | _REVIEW_TEAM_MEETINGS,
    Role.OPERATIONS: _REVIEW_TEAM_MEETINGS,
    Role.AUDITOR: frozenset({"reviews.view_reviewmeeting", "reviews.view_teammeeting"}),
}
for _role, _permissions in _REVIEWS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _permissions


# --- policies (issue 7): policy documents, versions, approval, acknowledgements ---
# Everyone reads the published policies addressed to them through the policy, not a role. CISO and
# Security write policies and drafts; CISO and Management approve, publish and retire versions; the
# readers of drafts also see every policy; CISO, Management and Auditors read who acknowledged what.
_POLICIES: dict[str, frozenset[str]] = {
    Role.CISO: frozenset(
        {
            "policies.view_policyversion",
            "policies.add_policy",
            "policies.change_policy",
            "policies.add_policyversion",
            "policies.change_policyversion",
            "policies.approve_policyversion",
            "policies.view_acknowledgement",
        }
    ),
    Role.SECURITY: frozenset(
        {
            "policies.view_policyversion",
            "policies.add_policy",
            "policies.change_policy",
            "policies.add_policyversion",
            "policies.change_policyversion",
        }
    ),
    Role.MANAGEMENT: frozenset(
        {"policies.view_policyversion", "policies.approve_policyversion", "policies.view_acknowledgement"}
    ),
    Role.AUDITOR: frozenset({"policies.view_policyversion", "policies.view_acknowledgement"}),
}
for _role, _permissions in _POLICIES.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _permissions


# --- training (issue 7): modules, quizzes, onboarding assignments, compliance view ---
# Modules are written by the CISO and the security team; the CISO sees every person's assignments; the CISO,
# Management and Auditors read the compliance view; Admins and the CISO set the onboarding due time.
# Everyone takes the modules of their audience and sees their own assignments through the policy, not a role.
_TRAINING: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"training.change_trainingsettings"}),
    Role.CISO: frozenset(
        {
            "training.view_module",
            "training.add_module",
            "training.change_module",
            "training.view_assignment",
            "training.add_assignment",
            "training.view_compliance",
            "training.change_trainingsettings",
        }
    ),
    Role.SECURITY: frozenset({"training.view_module", "training.add_module", "training.change_module"}),
    Role.MANAGEMENT: frozenset({"training.view_compliance"}),
    Role.AUDITOR: frozenset({"training.view_compliance"}),
}
for _role, _permissions in _TRAINING.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _permissions
