"""Treatment-action owners no longer hold a stored view permission on the risk: the policy computes their
access from open actions. Remove the permissions the old action_add stored (every view permission held by
someone other than the risk's owner; owners keep theirs)."""

from typing import Any

from django.db import migrations
from django.db.models import F


def action_owner_permissions_remove(apps: Any, schema_editor: Any) -> None:
    RiskUserObjectPermission = apps.get_model("risks", "RiskUserObjectPermission")
    RiskUserObjectPermission.objects.filter(
        permission__codename="view_risk", permission__content_type__app_label="risks"
    ).exclude(user_id=F("content_object__owner_id")).delete()


class Migration(migrations.Migration):
    dependencies = [("risks", "0005_analysis_reminder_moves_to_notifications")]

    operations = [migrations.RunPython(action_owner_permissions_remove, migrations.RunPython.noop)]
