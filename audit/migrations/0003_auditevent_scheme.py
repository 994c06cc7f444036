"""Each event says how its hash is made: events already stored are unkeyed SHA-256, new ones HMAC-SHA-256.

Adding a column with a default fires no row trigger, so the append-only guard stays in place.
"""

from django.db import migrations, models

SCHEME_CHOICES = [
    (1, "SHA-256 (unkeyed, before the chain was keyed)"),
    (2, "HMAC-SHA-256 with the audit key"),
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        # Rows stored so far were hashed without a key.
        migrations.AddField(
            model_name="auditevent",
            name="scheme",
            field=models.PositiveSmallIntegerField(choices=SCHEME_CHOICES, default=1, verbose_name="hash scheme"),
        ),
        # Every event written from now on is keyed.
        migrations.AlterField(
            model_name="auditevent",
            name="scheme",
            field=models.PositiveSmallIntegerField(choices=SCHEME_CHOICES, default=2, verbose_name="hash scheme"),
        ),
    ]
