"""The audit key: its own setting, else derived from the master key; never the master key itself."""

import base64

import pytest
from django.core.exceptions import ImproperlyConfigured

from audit.keys import audit_key
from tenants.keys import master_key


def test_audit_key_is_derived_from_the_master_key_when_not_set(settings):
    settings.ISMS_AUDIT_KEY = ""
    derived = audit_key()
    assert len(derived) == 32
    assert derived != master_key()
    assert audit_key() == derived  # the same key on every call and every worker

    settings.ISMS_MASTER_KEY = base64.b64encode(bytes(range(32))).decode()
    assert audit_key() != derived


def test_audit_key_of_its_own_takes_precedence(settings):
    own = bytes(range(100, 140))
    settings.ISMS_AUDIT_KEY = base64.b64encode(own).decode()
    assert audit_key() == own


@pytest.mark.parametrize(
    "value, message",
    [
        ("not base64!", "ISMS_AUDIT_KEY is not valid base64"),
        (base64.b64encode(b"too short").decode(), "at least 32 bytes"),
    ],
)
def test_unusable_audit_key_is_refused_with_the_reason(settings, value, message):
    settings.ISMS_AUDIT_KEY = value
    with pytest.raises(ImproperlyConfigured, match=message):
        audit_key()
