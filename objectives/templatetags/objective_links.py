"""Template access to the objectives policy, for pages of other apps that link to the objectives."""

from typing import Any

from django import template

from objectives.policies import objective_policy

register = template.Library()


@register.simple_tag
def can_view_objectives(user: Any) -> bool:
    return objective_policy.can_view_any(user)
