"""Record everyone who edited a version's draft; existing versions start with their author."""

from typing import Any

from django.conf import settings
from django.db import migrations, models


def editors_seed_with_authors(apps: Any, schema_editor: Any) -> None:
    PolicyVersion = apps.get_model("policies", "PolicyVersion")
    Editor = PolicyVersion.editors.through
    Editor.objects.bulk_create(
        [
            Editor(policyversion_id=pk, user_id=author)
            for pk, author in PolicyVersion.objects.values_list("pk", "created_by_id")
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0004_published_text_frozen"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="policyversion",
            name="editors",
            field=models.ManyToManyField(
                blank=True,
                related_name="policy_versions_edited",
                to=settings.AUTH_USER_MODEL,
                verbose_name="edited by",
            ),
        ),
        migrations.RunPython(editors_seed_with_authors, migrations.RunPython.noop),
    ]
