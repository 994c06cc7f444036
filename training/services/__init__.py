"""Writes of the training app, each atomic and audited: modules and their quiz (``modules``), who must do
what by when — settings, onboarding, assignments, renewals (``assignments``) — and taking a module: quiz
attempts, acknowledgement and completion (``taking``)."""

from .assignments import (
    RENEWAL_NOTICE_DAYS,
    acknowledgement_recorded,
    module_assign,
    onboarding_assign,
    onboarding_due_date,
    policy_audience_sync,
    renewals_assign,
    settings_update,
    user_roles_sync,
    version_assign,
    version_withdrawn,
)
from .modules import module_create, module_update
from .taking import attempt_submit, module_complete, ready_to_complete, version_acknowledge, versions_to_acknowledge

__all__ = [
    "RENEWAL_NOTICE_DAYS",
    "acknowledgement_recorded",
    "attempt_submit",
    "module_assign",
    "module_complete",
    "module_create",
    "module_update",
    "onboarding_assign",
    "onboarding_due_date",
    "policy_audience_sync",
    "ready_to_complete",
    "renewals_assign",
    "settings_update",
    "user_roles_sync",
    "version_acknowledge",
    "version_assign",
    "version_withdrawn",
    "versions_to_acknowledge",
]
