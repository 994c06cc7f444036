"""The audit key: the secret that keys the audit chain and signs its anchors, held outside the database."""

import base64
import binascii

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
# Fixed HKDF label: the audit key is a key of its own, never the master key itself.
_DERIVATION_LABEL = b"isms audit chain key v1"


def audit_key() -> bytes:
    """``ISMS_AUDIT_KEY`` (base64 of at least 32 bytes) when set, else derived from ``ISMS_MASTER_KEY`` with HKDF.

    Whoever controls the database does not hold this key, so they cannot recompute the chain.
    Set ``ISMS_AUDIT_KEY`` to rotate the master key without re-keying the audit trail.
    """
    configured = str(getattr(settings, "ISMS_AUDIT_KEY", "") or "").strip()
    if configured:
        try:
            key = base64.b64decode(configured.replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured("ISMS_AUDIT_KEY is not valid base64.") from None
        if len(key) < KEY_BYTES:
            raise ImproperlyConfigured(f"ISMS_AUDIT_KEY must be the base64 encoding of at least {KEY_BYTES} bytes.")
        return key
    from core.master_key import master_key

    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=_DERIVATION_LABEL).derive(master_key())
