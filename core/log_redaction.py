"""One-time links never reach a log: their tokens are blanked in log records (and in gunicorn's access
log, ``isms.gunicorn``).

An invitation link (``/invitations/<token>/``) or a set-password link
(``/accounts/set-password/<uid>/<token>/``) opens an account to whoever holds it. They appear in
request lines, in ``Referer`` headers of the next request and in Django's "Not Found" warnings.
"""

import logging
import re

REDACTED = "[redacted]"
# The tokens of the URL patterns "invitation_accept" and "set_password" (accounts/urls.py); "choose" is
# the set-password form's own placeholder, not a token, and /people/invitations/<id>/ holds no token.
_ONE_TIME_LINK = re.compile(r"((?<!/people)/invitations/|/accounts/set-password/[^/\s?#\"']+/)(?!choose/)[^/\s?#\"']+")


def redact(text: str) -> str:
    return _ONE_TIME_LINK.sub(rf"\1{REDACTED}", text)


class OneTimeLinkFilter(logging.Filter):
    """A handler filter: formats the record's message and blanks any one-time link's token in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
