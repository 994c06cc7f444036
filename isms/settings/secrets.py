"""Secrets from the environment or from a mounted file.

``secret("SECRET_KEY")`` reads the variable ``SECRET_KEY``, or the file named by
``SECRET_KEY_FILE`` (Docker/compose secrets under ``/run/secrets/``, Azure Key Vault through
the Secrets Store CSI driver). A file keeps the value out of the process environment, which
``/proc/<pid>/environ``, crash reports and ``docker inspect`` would show.

Setting both is refused (which one wins would be a guess); a file that cannot be read is
refused naming the variable. One trailing newline (``echo value > file``) is stripped;
other whitespace is kept, because it may be part of the secret.
"""

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

FILE_SUFFIX = "_FILE"


def secret(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    """The value of ``name`` from the environment, or from the file ``<name>_FILE`` names."""
    environ = os.environ if environ is None else environ
    file_variable = name + FILE_SUFFIX
    direct = environ.get(name)
    path = environ.get(file_variable)
    if direct is not None and path is not None:
        raise ImproperlyConfigured(f"Set either {name} or {file_variable}, not both.")
    if path is None:
        return default if direct is None else direct
    if not path:
        raise ImproperlyConfigured(f"{file_variable} is set but empty: it must name the file holding {name}.")
    try:
        with open(path, encoding="utf-8") as handle:
            value = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else type(error).__name__
        raise ImproperlyConfigured(f"{file_variable} names {path!r}, which cannot be read: {reason}.") from None
    if value.endswith("\r\n"):
        return value[:-2]
    return value.removesuffix("\n")
