"""Benchmark: the incident list and the management view at 20,000 incidents; a 20 MB attachment through
the service (encrypted) against the same bytes written to Azurite unencrypted.

Usage: make bench   (or: BENCH_DATABASE_URL=postgres://… python bench/incidents.py [--incidents 20000])

Server time of GET /incidents/ and /incidents/dashboard/ through the whole middleware stack (tenant
routing, session, two-factor gate, audit access event) for a reader of every incident (Auditor) and for
a staff member who sees only their own reports; query counts. Then, with Azure Blob (an Azurite started
from node_modules unless AZURE_STORAGE_CONNECTION_STRING is set): incidents.attachments.attachment_add
(sniff, encrypt AES-256-GCM in 1 MiB chunks into a temporary file, upload) and attachment_open (download,
authenticate and decrypt everything into a spooled file) for a 20 MB file, against default_storage.save
and a read of the same bytes unencrypted, best of 5.
"""

import argparse
import datetime as dt
import importlib.util
import logging
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file's name is the app's: keep bench/ off the path so `import incidents` finds the app.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
_helpers = importlib.util.spec_from_file_location("tenant_provisioning", ROOT / "bench" / "tenant_provisioning.py")
assert _helpers is not None and _helpers.loader is not None
tenant_provisioning = importlib.util.module_from_spec(_helpers)
_helpers.loader.exec_module(tenant_provisioning)
ensure_database, percentile = tenant_provisioning.ensure_database, tenant_provisioning.percentile

REQUESTS = 200
# Azurite's published development account (not a secret).
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
FILE_BYTES = 20 * 1024 * 1024
ROUNDS = 5


def _azurite() -> tuple[str, subprocess.Popen[bytes] | None]:
    if os.environ.get("AZURE_STORAGE_CONNECTION_STRING"):
        return os.environ["AZURE_STORAGE_CONNECTION_STRING"], None
    from tests.support import free_port, wait_for_port

    port = free_port()
    process = subprocess.Popen(  # noqa: S603 — Azurite from our node_modules, fixed arguments, no shell
        [
            str(ROOT / "node_modules" / ".bin" / "azurite-blob"),
            "--inMemoryPersistence",
            "--disableTelemetry",
            "--skipApiVersionCheck",
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(port),
            "--silent",
        ],
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port, process)
    return (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        f"AccountKey={AZURITE_KEY};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
    ), process


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--explain", action="store_true", help="print the slowest queries of each page")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/isms_bench")
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isms.settings")
    azure, azurite = _azurite()
    os.environ["AZURE_STORAGE_CONNECTION_STRING"] = azure
    import django

    django.setup()
    logging.getLogger("azure").setLevel(logging.WARNING)  # the SDK logs every request at INFO
    from azure.storage.blob import BlobServiceClient
    from django.contrib.auth.models import Group
    from django.core.files import File
    from django.core.files.storage import default_storage
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from accounts.models import User
    from core.schemas import use_public_schema
    from incidents import attachments, services
    from incidents.models import CorrectiveAction, Incident
    from tenants import services as tenant_services

    tenant_services.platform_migrate()
    slug = f"inc-{uuid.uuid4().hex[:6]}"
    tenant = tenant_services.tenant_provision(slug=slug, name=slug, admin_email=f"admin@{slug}.example").tenant
    rng = random.Random(6)  # noqa: S311 -- reproducible bench data
    lines: list[str] = []
    transfer: list[str] = []
    try:
        with schema_context(tenant.schema_name):
            people = User.objects.bulk_create(
                [User(email=f"p{i}@bench.example", full_name=f"Person {i}") for i in range(50)]
            )
            auditor = User.objects.create_user("auditor@bench.example", None)
            auditor.groups.add(Group.objects.get(name="Auditor"))
            staff = people[0]
            staff.groups.add(Group.objects.get(name="Staff"))
            now = timezone.now()
            statuses = ["reported", "triaged", "contained", "resolved", "closed", "closed", "closed", "resolved"]
            incidents = []
            for n in range(1, args.incidents + 1):
                status = rng.choice(statuses)
                detected = now - dt.timedelta(minutes=rng.randint(10, 365 * 24 * 60))
                resolved = (
                    detected + dt.timedelta(hours=rng.randint(1, 200)) if status in ("resolved", "closed") else None
                )
                incidents.append(
                    Incident(
                        reference=f"INC-{detected.year}-{n:05d}",
                        title=f"Incident {n} " + rng.choice(["phishing", "outage", "lost device", "wrong recipient"]),
                        description="Bench incident.",
                        type=rng.choice(["security", "operational", "privacy"]),
                        severity=None if status == "reported" else rng.randint(1, 4),
                        status=status,
                        reporter=rng.choice(people),
                        assignee=None if status == "reported" else rng.choice(people),
                        detected_at=detected,
                        reported_at=detected + dt.timedelta(minutes=30),
                        resolved_at=resolved,
                        closed_at=resolved + dt.timedelta(days=2) if status == "closed" and resolved else None,
                        personal_data_breach=rng.random() < 0.05,
                        affected=["API"],
                    )
                )
            created = Incident.objects.bulk_create(incidents, batch_size=2000)
            CorrectiveAction.objects.bulk_create(
                [
                    CorrectiveAction(
                        incident=incident,
                        title="Fix it",
                        owner=rng.choice(people),
                        due_date=timezone.localdate() + dt.timedelta(days=rng.randint(-90, 60)),
                        status=rng.choice(["open", "in_progress", "done"]),
                    )
                    for incident in created[::4]
                ],
                batch_size=2000,
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        host = f"{slug}.{os.environ.get('BASE_DOMAIN', 'localhost')}"
        readers = {}
        for name, user in (("auditor (all)", auditor), ("staff (own reports)", staff)):
            client = Client(HTTP_HOST=host)
            with schema_context(tenant.schema_name):
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            readers[name] = client
        cases = [
            ("auditor (all)", "list, first page", "/incidents/"),
            ("auditor (all)", "list, open by severity", "/incidents/?status=open&sort=severity"),
            ("auditor (all)", "list, search + type + breach", "/incidents/?q=phishing&type=privacy&breach=no"),
            ("staff (own reports)", "list, own reports", "/incidents/"),
            ("auditor (all)", "dashboard, last 12 months", "/incidents/dashboard/"),
            (
                "auditor (all)",
                "dashboard, privacy, 2 years",
                f"/incidents/dashboard/?type=privacy&date_from={now.year - 1}-01-01",
            ),
        ]
        for reader, label, path in cases:
            client = readers[reader]
            for _ in range(5):
                client.get(path)
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                assert client.get(path).status_code == 200
                times.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            if args.explain:
                slowest = sorted(queries.captured_queries, key=lambda query: -float(query["time"]))[:4]
                print(label, *(f"  {query['time']} s {query['sql'][:300]}" for query in slowest), sep="\n")
            lines.append(
                f"| {label} | {reader} | {statistics.median(times):.1f} ms | {percentile(times, 0.95):.1f} ms "
                f"| {len(queries)} |"
            )

        # Attachments: 20 MB through the service vs the same bytes unencrypted.
        container = BlobServiceClient.from_connection_string(azure).get_container_client(f"{slug}-files")
        with tempfile.NamedTemporaryFile(suffix=".log") as source, schema_context(tenant.schema_name):
            chunk = secrets.token_hex(512 * 1024).encode()  # text, so the .log type check passes
            while source.tell() < FILE_BYTES:
                source.write(chunk[: FILE_BYTES - source.tell()])
            source.flush()
            incident = services.incident_report(by=staff, title="Big log", description="")
            timings: dict[str, list[float]] = {"plain up": [], "plain down": [], "enc up": [], "enc down": []}
            for round_ in range(ROUNDS):
                source.seek(0)
                started = time.perf_counter()
                name = default_storage.save(f"bench/plain-{round_}.log", File(source))
                timings["plain up"].append(time.perf_counter() - started)
                started = time.perf_counter()
                with default_storage.open(name, "rb") as stored:
                    while stored.read(1024 * 1024):
                        pass
                timings["plain down"].append(time.perf_counter() - started)
                source.seek(0)
                started = time.perf_counter()
                attachment = attachments.attachment_add(
                    incident=incident, by=staff, upload=source, filename="big.log", size=FILE_BYTES
                )
                timings["enc up"].append(time.perf_counter() - started)
                started = time.perf_counter()
                plaintext = attachments.attachment_open(attachment=attachment, by=staff)
                while plaintext.read(1024 * 1024):
                    pass
                plaintext.close()
                timings["enc down"].append(time.perf_counter() - started)
            stored_blob = container.download_blob(attachment.object_name).readall()
            assert stored_blob[:7] == b"ISMSENC" and chunk[:4096] not in stored_blob
        mib = FILE_BYTES / (1024 * 1024)
        for direction in ("up", "down"):
            plain, enc = min(timings[f"plain {direction}"]), min(timings[f"enc {direction}"])
            transfer.append(
                f"| {'upload' if direction == 'up' else 'download'} | {plain:.3f} s ({mib / plain:.0f} MB/s) "
                f"| {enc:.3f} s ({mib / enc:.0f} MB/s) | {enc / plain:.2f}× |"
            )
    finally:
        connection.close()
        use_public_schema()
        tenant_services.tenant_delete(slug=slug)
        if azurite is not None:
            azurite.terminate()
            azurite.wait()
    print(
        f"\nIncident log, {args.incidents} incidents ({args.incidents // 4} corrective actions), "
        f"{args.requests} requests each\n"
    )
    print("| page | reader | p50 | p95 | queries |\n|---|---|---|---|---|")
    print("\n".join(lines))
    print(f"\nAttachment of {FILE_BYTES // (1024 * 1024)} MiB on Azurite, best of {ROUNDS}\n")
    print("| direction | unencrypted (default_storage) | through the service (encrypted) | ratio |\n|---|---|---|---|")
    print("\n".join(transfer))


if __name__ == "__main__":
    main()
