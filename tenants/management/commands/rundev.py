"""`make run`: migrate, ensure the demo tenant, then run web, Celery worker and beat until Ctrl-C."""

import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.links import absolute_url
from tenants import demo, embedded, services


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Command(BaseCommand):
    help = "Run the portal for development: web server, Celery worker and beat, with a demo tenant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-jobs", action="store_true", help="Do not start Celery worker and beat.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("rundev is for development: set DEBUG=1 (make run does).")
        port = options["port"]
        self.stdout.write("Migrating the public schema, the tenant template and the tenants…")
        services.platform_migrate()
        tenant = demo.demo_tenant_ensure()

        python = sys.executable
        commands = [[python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]]
        if not options["no_jobs"]:
            celery = [python, "-m", "celery", "-A", "isms", "--quiet"]
            commands.append([*celery, "worker", "--pool=solo", "--loglevel=WARNING"])
            commands.append([*celery, "beat", "--loglevel=WARNING"])
        # Children answer Ctrl-C themselves, even when a shell started us with SIGINT ignored.
        children = [subprocess.Popen(command, preexec_fn=_default_sigint) for command in commands]  # noqa: S603 — our own interpreter and fixed arguments, no shell (development only)

        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True
            # SIGTERM: a warm shutdown for Celery, and it stops runserver even where the
            # shell that started us made SIGINT ignored (background jobs).
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, lambda *_: stop())
        signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored
        try:
            self._wait_for_port(port, children[0])
            self._print_welcome(tenant.slug, port)
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            failed = [" ".join(command) for command, child in zip(commands, children, strict=True) if child.returncode]
            if failed and not stopping:
                self.stderr.write(f"A process stopped unexpectedly: {failed[0]}")
        except KeyboardInterrupt:
            # Ctrl-C reached the whole process group: let the children finish their own
            # shutdown (a second signal could cut their exit handlers short).
            stopping = True
        finally:
            if not stopping:
                stop()
            for child in children:
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.terminate()
                    try:
                        child.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        child.kill()
                        child.wait()
            if not os.environ.get("DATABASE_URL"):
                embedded.forget_dead_handles(settings.DATA_DIR / "pg", holder=os.getpid())
            self.stdout.write("Stopped web server, worker and beat.")

    def _wait_for_port(self, port: int, server: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError("The web server did not start (see the output above).")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.2)
        raise CommandError(f"The web server did not answer on port {port} within 60 s.")

    def _print_welcome(self, slug: str, port: int) -> None:
        host = services.tenant_domain_for(slug)
        url = absolute_url(host, "/") if settings.PUBLIC_PORT else f"http://{host}:{port}/"
        lines = [
            "",
            "ISMS portal is running.",
            f"  Demo tenant:   {url}",
            f"  Public site:   http://{settings.BASE_DOMAIN}:{port}/",
            f"  Password for every demo login: {demo.DEMO_PASSWORD}",
        ]
        lines += [f"    {p.role.value:<11} {p.email}" for p in demo.DEMO_PEOPLE]
        lines += [f"  Data folder:   {settings.DATA_DIR}", "Press Ctrl-C to stop.", ""]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
