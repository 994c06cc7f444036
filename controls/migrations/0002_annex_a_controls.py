"""Seed the 93 Annex A controls; run in the template schema, they reach every new tenant by cloning."""

from django.db import migrations

from controls.annex_a import CONTROLS


def controls_create(apps, schema_editor):
    Control = apps.get_model("controls", "Control")
    Control.objects.bulk_create(
        Control(reference=reference, title=title, theme=theme, sort_key=sort_key)
        for reference, title, theme, sort_key in CONTROLS
    )


def controls_remove(apps, schema_editor):
    Control = apps.get_model("controls", "Control")
    Control.objects.filter(reference__in=[reference for reference, *_rest in CONTROLS]).delete()


class Migration(migrations.Migration):
    dependencies = [("controls", "0001_initial")]

    operations = [migrations.RunPython(controls_create, controls_remove)]
