"""gunicorn's access log without one-time links: ``gunicorn --logger-class isms.gunicorn.Logger``."""

from typing import Any

from gunicorn.glogging import Logger as _Logger

from core.log_redaction import redact


class Logger(_Logger):
    """Tokens of invitation and set-password links blanked in every access log field (request line, path,
    query, referer, headers): the request line of a link's first visit would otherwise keep it."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
