"""The policies pages, one module per page group; urls.py names them through this package."""

from .acknowledgements import policy_acknowledge, policy_acknowledgements
from .policy_pages import policy_create, policy_detail, policy_edit, policy_list
from .versions import policy_version_create, policy_version_detail, policy_version_edit, policy_version_step

__all__ = [
    "policy_acknowledge",
    "policy_acknowledgements",
    "policy_create",
    "policy_detail",
    "policy_edit",
    "policy_list",
    "policy_version_create",
    "policy_version_detail",
    "policy_version_edit",
    "policy_version_step",
]
