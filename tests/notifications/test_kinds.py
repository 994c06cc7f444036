"""Reminder kinds come from a registry the apps fill: a new kind needs no migration of notifications."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from notifications import kinds
from notifications.models import EmailDigestSent, EmailPreference, Notification


@pytest.fixture
def supplier_review():
    kind = kinds.register(kinds.ReminderKind("supplier_review", _("Supplier evaluation due")), order=60)
    yield kind
    kinds.KINDS.unregister("supplier_review")


def test_every_app_registers_its_kinds_in_the_order_of_the_preferences_page():
    assert kinds.values() == [
        "risk_review",
        "treatment_action",
        "analysis_deadline",
        "share_expiring",
        "breach_deadline",
        "corrective_action",
        "review_action",
        "training_due",
        "account_locked",
    ]


@pytest.mark.parametrize("model", [Notification, EmailPreference, EmailDigestSent])
def test_migrations_see_a_plain_text_column_without_the_kinds(model):
    _name, path, _args, field_kwargs = model._meta.get_field("kind").deconstruct()
    assert path == "django.db.models.CharField" and "choices" not in field_kwargs


def test_a_newly_registered_kind_is_accepted_labelled_and_offered_for_email(acme, supplier_review):
    with schema_context("acme"):
        notification = Notification(
            user=acme.staff, kind="supplier_review", title="Evaluate Payco", link="/", due_key="supplier:1"
        )
        notification.full_clean()
        notification.save()
        assert notification.get_kind_display() == "Supplier evaluation due"
    body = acme.logged_in_client(acme.staff).get("/notifications/preferences/").content.decode()
    assert 'name="supplier_review"' in body and "Supplier evaluation due" in body


def test_a_kind_nobody_registered_is_refused(acme):
    with schema_context("acme"):
        notification = Notification(user=acme.staff, kind="bogus", title="x", link="/", due_key="x")
        with pytest.raises(ValidationError) as refusal:
            notification.full_clean()
        assert "kind" in refusal.value.message_dict


def test_a_kind_longer_than_the_column_cannot_be_registered():
    with pytest.raises(ValueError, match="longer than 20"):
        kinds.register(kinds.ReminderKind("a_kind_far_too_long_for_the_column", "x"))
    assert "a_kind_far_too_long_for_the_column" not in kinds.values()
