"""The platform's master key (``ISMS_MASTER_KEY``): the root of the key hierarchy.

It wraps every tenant key (``tenants.keys``) and, unless ``ISMS_AUDIT_KEY`` is set, derives the audit
trail's chain key (``audit.keys``). Both read it here, so neither depends on the other for it.
"""

import base64
import binascii

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32


def master_key() -> bytes:
    """The master key from settings, or ImproperlyConfigured if it is not base64 of exactly 32 bytes.

    Standard and URL-safe base64 are both accepted (the debug key in ``.data/master_key`` is URL-safe).
    """
    return master_key_decode(settings.ISMS_MASTER_KEY, "ISMS_MASTER_KEY")


def master_key_decode(value: object, name: str) -> bytes:
    value = str(value or "").strip()
    hint = "Generate one with `openssl rand -base64 32`."
    if not value:
        raise ImproperlyConfigured(f"{name} is not set. {hint}")
    try:
        key = base64.b64decode(value.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(
            f"{name} is not valid base64; it must be the base64 encoding of exactly {KEY_BYTES} bytes. {hint}"
        ) from None
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{name} must be the base64 encoding of exactly {KEY_BYTES} bytes; it decodes to {len(key)} bytes. {hint}"
        )
    return key
