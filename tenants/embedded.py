"""Embedded development services: PostgreSQL from the pgserver wheel, kombu's filesystem broker, dev keys.

Used only when the environment names no real service, so that a fresh machine with
nothing but Python runs the whole portal. Every process (web, worker, beat,
management commands) attaches to the same cluster in ``.data/pg``; pgserver stops
it when the last of them exits.
"""

import base64
import os
import secrets
import warnings
from pathlib import Path

EMBEDDED_DATABASE = "isms"
# The embedded cluster's least-privilege logins (tenants/dbroles.py says what each may do).
EMBEDDED_ROLES = {component: f"isms_{component}" for component in ("owner", "app", "backup", "drill")}
_socket_dir = [""]


def _ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def dev_secret(data_dir: Path, name: str) -> str:
    """A random 256-bit key kept in ``.data/<name>`` so restarts keep sessions and encrypted files."""
    path = _ensure_dir(data_dir) / name
    if not path.exists():
        path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


def database_config(data_dir: Path) -> dict[str, object]:
    """Start (or join) the embedded PostgreSQL cluster and return Django's settings for it."""
    # pgserver looks up a per-user runtime folder; a bare environment has no XDG_RUNTIME_DIR.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(_ensure_dir(data_dir / "run")))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    pgdata = _ensure_dir(data_dir) / "pg"
    forget_dead_handles(pgdata)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    socket_dir = server.get_postmaster_info().socket_dir
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}';")  # noqa: S608 — EMBEDDED_DATABASE is a module constant; psql takes no parameters
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")
    _socket_dir[0] = str(socket_dir)
    _roles_bootstrap(str(socket_dir))
    return {"NAME": EMBEDDED_DATABASE, "USER": EMBEDDED_ROLES["app"], "HOST": str(socket_dir), "PORT": ""}


def database_roles() -> dict[str, dict[str, str]]:
    """Settings of the owner, backup and drill logins of the embedded cluster (Unix socket, no password)."""
    return {component: {"USER": EMBEDDED_ROLES[component]} for component in ("owner", "backup", "drill")}


def database_admin() -> dict[str, str]:
    """The embedded cluster's superuser: only the test suite's set-up uses it, to create test roles."""
    return {"NAME": EMBEDDED_DATABASE, "USER": "postgres", "HOST": _socket_dir[0], "PORT": ""}


def _roles_bootstrap(socket_dir: str) -> None:
    """Create the least-privilege logins once (every process checks, one creates)."""
    import psycopg

    with psycopg.connect(dbname=EMBEDDED_DATABASE, user="postgres", host=socket_dir, autocommit=True) as admin:
        ready = admin.execute(
            "SELECT count(*) = 4 AND pg_get_userbyid((SELECT datdba FROM pg_database WHERE datname = %s)) = %s "
            "FROM pg_roles WHERE rolname = ANY(%s)",
            [EMBEDDED_DATABASE, EMBEDDED_ROLES["owner"], list(EMBEDDED_ROLES.values())],
        ).fetchone()
        if ready and ready[0]:
            return
        from tenants import dbroles

        with admin.transaction():
            admin.execute("SELECT pg_advisory_xact_lock(7133)")
            dbroles.roles_bootstrap(
                admin.cursor(),
                database=EMBEDDED_DATABASE,
                logins={component: {"USER": user} for component, user in EMBEDDED_ROLES.items()},
            )


def forget_dead_handles(pgdata: Path, *, holder: int | None = None) -> None:
    """Drop pids of processes that died without saying goodbye (killed, OOM).

    pgserver stops the cluster when the last process using it exits; a dead pid left
    in its list would keep the cluster running forever. A list left unreadable by a
    process killed mid-write is rebuilt with ``holder``, the caller's own pid.
    """
    import json

    import psutil
    from pgserver.postgres_server import PostgresServer

    handles = pgdata / ".handle_pids.json"
    with PostgresServer._lock:
        if not handles.exists():
            return
        try:
            pids = json.loads(handles.read_text())
        except ValueError:
            pids = None
        live = [pid for pid in pids or [] if psutil.pid_exists(pid)]
        if holder is not None and holder not in live:
            live.append(holder)
        if live != pids:
            handles.write_text(json.dumps(live))


def filesystem_broker_folders(data_dir: Path) -> dict[str, object]:
    """Transport options for kombu's filesystem broker under ``.data/celery``."""
    queue = _ensure_dir(data_dir / "celery" / "queue")
    processed = _ensure_dir(data_dir / "celery" / "processed")
    control = _ensure_dir(data_dir / "celery" / "control")
    return {
        "control_folder": str(control),
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "store_processed": False,
    }
