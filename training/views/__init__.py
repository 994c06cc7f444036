"""The training pages, one module per page group; urls.py names them through this package."""

from .compliance import compliance, person_record
from .home import settings_edit, training_home
from .modules import module_assign, module_create, module_detail, module_edit, module_list
from .taking import assignment_detail, module_complete, module_quiz

__all__ = [
    "assignment_detail",
    "compliance",
    "module_assign",
    "module_complete",
    "module_create",
    "module_detail",
    "module_edit",
    "module_list",
    "module_quiz",
    "person_record",
    "settings_edit",
    "training_home",
]
