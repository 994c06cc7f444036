from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("Policies")

    def ready(self) -> None:
        from accounts import ownership
        from tenants import demo as tenant_demo

        from . import demo
        from .models import Policy
        from .services import policies_reassign

        ownership.register(Policy, "owner", reassign=policies_reassign)
        tenant_demo.DEMO_DATA.register("policies", demo.demo_ensure, order=40)
