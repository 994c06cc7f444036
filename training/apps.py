from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from accounts import signals as account_signals
        from core import dashboard, navigation
        from notifications import kinds
        from notifications.services import producer_register
        from policies import signals as policy_signals
        from reviews import feeds
        from tenants import demo as tenant_demo

        from . import demo
        from .reminders import TRAINING_DUE, training_reminders
        from .selectors import dashboard_panel, figures_for_review

        navigation.AREAS.register(
            "training",
            navigation.Area(
                "training",
                _("Training"),
                _("Security policies, onboarding training and acknowledgements for employees and consultants."),
                "training",
            ),
            order=40,
        )
        dashboard.PANELS.register(
            "training", dashboard.Panel(template="training/dashboard_panel.html", context=dashboard_panel), order=10
        )

        # Training writes its assignments when other apps' services send these (inside their transactions):
        # accounts.services.invitation_accept -> the newcomer's onboarding set
        account_signals.user_joined.connect(_user_joined, dispatch_uid="training_onboarding")
        # accounts.services.user_roles_set -> acknowledgements follow the new roles
        account_signals.roles_changed.connect(_roles_changed, dispatch_uid="training_roles_changed")
        # policies.services.policy_version_publish -> everyone addressed is asked to acknowledge
        policy_signals.version_published.connect(_version_published, dispatch_uid="training_new_version")
        # policies.services.policy_acknowledge, training.acknowledging.acknowledge -> open assignments done
        policy_signals.version_acknowledged.connect(_version_acknowledged, dispatch_uid="training_acknowledged")
        # policies.services.policy_update (audience) -> assignments follow the new audience
        policy_signals.audience_changed.connect(_audience_changed, dispatch_uid="training_audience_changed")
        # policies.services.policy_version_retire -> open assignments of the version superseded
        policy_signals.version_retired.connect(_version_retired, dispatch_uid="training_version_retired")
        kinds.register(TRAINING_DUE, order=50)
        producer_register(training_reminders)
        feeds.register(
            feeds.Feed(
                section="d",
                key="training",
                title=_("Awareness training and policy acknowledgements"),
                compute=figures_for_review,
            )
        )
        tenant_demo.DEMO_DATA.register("training", demo.demo_ensure, order=50)


def _user_joined(sender: Any, user: Any, **kwargs: Any) -> None:
    from .services import onboarding_assign

    onboarding_assign(user=user)


def _roles_changed(sender: Any, user: Any, by: Any = None, **kwargs: Any) -> None:
    from .services import user_roles_sync

    user_roles_sync(user=user, by=by)


def _version_published(sender: Any, version: Any, by: Any = None, **kwargs: Any) -> None:
    from .services import version_assign

    version_assign(version=version, by=by)


def _version_acknowledged(sender: Any, acknowledgement: Any, **kwargs: Any) -> None:
    from .services import acknowledgement_recorded

    acknowledgement_recorded(acknowledgement=acknowledgement)


def _audience_changed(sender: Any, policy: Any, by: Any = None, **kwargs: Any) -> None:
    from .services import policy_audience_sync

    policy_audience_sync(policy=policy, by=by)


def _version_retired(sender: Any, version: Any, by: Any = None, **kwargs: Any) -> None:
    from .services import version_withdrawn

    version_withdrawn(version=version, by=by)
