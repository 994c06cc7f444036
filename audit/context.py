"""Where the current request came from, for events written deep inside services."""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    user_agent: str = ""


EMPTY = RequestContext()
current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("audit_request_context", default=None)
