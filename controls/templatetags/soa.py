"""Template access to the SoA policy, for pages of other apps that link to the SoA."""

from typing import Any

from django import template

from controls.policies import control_policy

register = template.Library()


@register.simple_tag
def can_view_soa(user: Any) -> bool:
    return control_policy.can_view(user)
