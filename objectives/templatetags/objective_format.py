"""How the objectives pages print measured values and recorded changes."""

from decimal import Decimal

from django import template

from objectives.models import decimal_text

register = template.Library()


@register.filter
def plain_number(value: Decimal) -> str:
    return decimal_text(value)


@register.filter
def change_value(value: object) -> object:
    """One side of a recorded change: lists (linked risks) as a comma-separated line, nothing as a dash."""
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value
