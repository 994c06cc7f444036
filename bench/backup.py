"""Benchmark: backup and restore drill of a ~1 GB tenant, and a nightly backup of 200 small tenants.

Usage: make bench   (or: BENCH_DATABASE_URL=postgres://… python bench/backup.py [--blob-rows 600000 …])

Runs against its own database (created if missing) with its own ISMS_DATA_DIR in a temporary
folder and local storage (never Azure). One tenant gets ~700 MB of table data (a plain table
filled on the server, plus risks) and ~300 MB of random files; then: plain `pg_dump -Fc -n` to
/dev/null (the same binary backups use), `backups.services.backup_tenant`, peak memory of this
process and of its children (pg_dump, pg_restore), and `restore_drill` (the measured RTO).
Then 200 small tenants are provisioned and backed up one after another, as the nightly job does.
Everything is removed afterwards. Prints Markdown tables for bench/README.md.
"""

import argparse
import collections
import functools
import gc
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tenant_provisioning import ensure_database, percentile  # noqa: E402

MB = 1_000_000
MIB = 1024 * 1024


# --- measuring child processes, steps and memory ------------------------------------------


@dataclass
class Child:
    tool: str
    seconds: float
    maxrss_kb: int
    output_bytes: int = 0


def proc_status_kb(path: Path, field: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def child_run(
    args: list[str], env: dict[str, str] | None = None, *, to_null: bool = False
) -> tuple[int, bytes, bytes, Child]:
    """Run a program to the end, with its wall time and its own peak RSS.

    The peak is the child's VmHWM, read while it runs: wait4()'s ru_maxrss (and RUSAGE_CHILDREN)
    would also count this process's RSS, which the kernel folds in when the forked child execs.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, open(os.devnull, "wb") as null:
        started = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=null if to_null else out, stderr=err)  # noqa: S603 — the benchmark's own pg_dump/pg_restore argument list, no shell
        status_file = Path(f"/proc/{process.pid}/status")
        peak_kb = 0
        while True:
            pid, status, _usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak_kb = max(peak_kb, proc_status_kb(status_file, "VmHWM"))
            time.sleep(min(0.02, max(0.001, (time.perf_counter() - started) / 20)))
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        tool = Path(args[0]).name + (" --version" if "--version" in args else "")
        return process.returncode, out.read(), err.read(), Child(tool, seconds, peak_kb)


class ChildProcesses:
    """Stands in for the `subprocess` module inside the backups.services modules, recording every child it runs."""

    CalledProcessError = subprocess.CalledProcessError

    def __init__(self) -> None:
        self.runs: list[Child] = []

    def run(
        self, args: list[str], *, env: dict[str, str] | None = None, check: bool = False, **options: bool
    ) -> subprocess.CompletedProcess:
        code, out, err, child = child_run(args, env)
        if "-f" in args:  # pg_dump's output file: its size is reported
            child.output_bytes = Path(args[args.index("-f") + 1]).stat().st_size
        self.runs.append(child)
        stdout: Any = out.decode() if options.get("text") else out
        stderr: Any = err.decode() if options.get("text") else err
        if check and code:
            raise subprocess.CalledProcessError(code, args, stdout, stderr)
        return subprocess.CompletedProcess(args, code, stdout, stderr)

    def since(self, start: int, tool: str) -> list[Child]:
        return [child for child in self.runs[start:] if child.tool == tool]


steps: dict[str, float] = collections.defaultdict(float)


def step_time(owner: Any, name: str, label: str) -> None:
    """Wrap owner.name so the time spent in it adds up under ``label`` (bench instrumentation only)."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            steps[label] += time.perf_counter() - started

    setattr(owner, name, timed)


def peak_reset() -> bool:
    """Reset this process's peak RSS (Linux: clear_refs 5), so ru_maxrss measures the next step only."""
    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    if tracemalloc.is_tracing():
        tracemalloc.reset_peak()
    return True


class ServerMemory(threading.Thread):
    """Largest anonymous RSS of any PostgreSQL process on this machine, sampled 5 times a second.

    Started once and kept alive: a thread that exits would fold its process peak into ru_maxrss.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.seen = False

    def run(self) -> None:
        while True:
            for status in Path("/proc").glob("[0-9]*/status"):
                try:
                    if not status.read_text().startswith("Name:\tpostgres"):
                        continue
                except OSError:
                    continue
                self.seen = True
                self.peak_kb = max(self.peak_kb, proc_status_kb(status, "RssAnon"))
            time.sleep(0.2)

    def reset(self) -> None:
        self.peak_kb = 0


def mb(value: float) -> str:
    return f"{value / MB:,.0f} MB"


def kb(value: int) -> str:
    return f"{value * 1024 / MB:,.0f} MB"


# --- the benchmark ----------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blob-rows", type=int, default=600_000, help="rows of ~1 KiB in bench_blob (~1.2 KB on disk)")
    parser.add_argument("--risks", type=int, default=20_000, help="risks in the large tenant")
    parser.add_argument("--files", type=int, default=30, help="random files in the large tenant")
    parser.add_argument("--file-mib", type=int, default=10, help="size of each file")
    parser.add_argument("--small-tenants", type=int, default=200, help="tenants in the nightly run")
    args = parser.parse_args()
    bench_started = time.perf_counter()

    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/isms_bench")
    ensure_database(url)
    data_dir = Path(tempfile.mkdtemp(prefix="isms-bench-backup-"))
    os.environ["DATABASE_URL"] = url
    os.environ["ISMS_DATA_DIR"] = str(data_dir)
    os.environ["AZURE_STORAGE_CONNECTION_STRING"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isms.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django_tenants.utils import schema_context

    from accounts.models import User
    from backups import services as backups
    from backups.models import BackupRecord, RestoreDrill
    from backups.store import BackupStore
    from core import storage
    from risks.models import Risk, RiskMatrix
    from tenants import crypto, services

    assert not settings.AZURE_STORAGE_CONNECTION_STRING and Path(settings.DATA_DIR) == data_dir.resolve()
    children = ChildProcesses()
    for module in (backups.pg, backups.backup, backups.drill, backups.restore):
        setattr(module, "subprocess", children)  # noqa: B010 -- stands in for the module each one imported
    for target, name, label in (
        (backups.backup, "schema_fingerprint", "fingerprint"),
        (backups.drill, "schema_fingerprint", "fingerprint"),
        (backups.backup, "_files_add", "tar: add files"),
        (backups.drill, "_archive_open", "fetch, check, decrypt, untar"),
        (crypto, "encrypt_stream", "encrypt"),
        (crypto, "decrypt_stream", "decrypt"),
        (BackupStore, "put", "store: put"),
        (BackupStore, "open", "store: fetch"),
    ):
        step_time(target, name, label)
    server_memory = ServerMemory()
    server_memory.start()

    services.platform_migrate()
    run = uuid.uuid4().hex[:6]
    slugs: list[str] = []
    lines: list[str] = []
    try:
        # --- one large tenant ------------------------------------------------------------
        slug = f"bk-{run}-large"
        tenant = services.tenant_provision(slug=slug, name=slug, admin_email=f"admin@{slug}.example").tenant
        slugs.append(slug)
        schema = tenant.schema_name
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE TABLE "{schema}".bench_blob (id bigserial PRIMARY KEY, payload text)')
            # 1 KiB of hex per row: compresses about as well as ordinary text (roughly 2:1).
            cursor.execute(
                f'INSERT INTO "{schema}".bench_blob (payload) '  # noqa: S608 — schema name of the benchmark's own tenant, double-quoted
                "SELECT (SELECT string_agg(md5((g * 32 + j)::text), '') FROM generate_series(0, 31) j) "
                "FROM generate_series(1, %s) g",
                [args.blob_rows],
            )
        with schema_context(schema):
            owner = User.objects.get()
            matrix = RiskMatrix.current()
            text = "Risk narrative: threat, vulnerability, existing controls and treatment plan. " * 12
            for first in range(0, args.risks, 2000):
                batch = []
                for i in range(first + 1, min(first + 2000, args.risks) + 1):
                    risk = Risk(
                        reference=f"R-{i:06d}",
                        title=f"Risk {i}",
                        description=f"{i} {text}",
                        owner=owner,
                        likelihood=1 + i % 5,
                        impact=1 + (i // 5) % 5,
                        residual_likelihood=1 + i % 3,
                        residual_impact=1 + (i // 3) % 3,
                    )
                    risk.levels_compute(matrix)
                    batch.append(risk)
                Risk.objects.bulk_create(batch)
        files = storage.local_folder(schema, storage.FILES) / "evidence"
        files.mkdir(parents=True, exist_ok=True)
        for i in range(args.files):
            with (files / f"bench-{i:02d}.bin").open("wb") as handle:
                for _ in range(args.file_mib):
                    handle.write(os.urandom(MIB))
        with connection.cursor() as cursor:
            cursor.execute(f'VACUUM ANALYZE "{schema}".bench_blob')  # an old tenant's pages are all-visible
            cursor.execute(f'VACUUM ANALYZE "{schema}".risks_risk')
            cursor.execute("CHECKPOINT")  # the fill's WAL is not flushed in the middle of a measurement
            cursor.execute(
                "SELECT count(*), sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
                [schema],
            )
            tables, table_bytes = (int(value) for value in cursor.fetchone())
        file_bytes = args.files * args.file_mib * MIB
        fill_seconds = time.perf_counter() - started
        print(
            f"Large tenant: {tables} tables, {mb(table_bytes)} on disk + {args.files} files, {mb(file_bytes)} "
            f"(filled in {fill_seconds:.0f} s)",
            flush=True,
        )

        # (1) plain pg_dump -Fc -n <schema> to /dev/null, the binary backups use; best of two
        tools = backups.pg_tools()
        plain: list[Child] = []
        for _ in range(2):
            code, _out, err, child = child_run(
                [str(tools / "pg_dump"), "-Fc", "-n", schema], backups._pg_env(role="backup"), to_null=True
            )
            assert code == 0, err.decode()
            plain.append(child)
        dump_seconds = min(child.seconds for child in plain)
        started = time.perf_counter()
        for path in sorted(files.iterdir()):
            with path.open("rb", buffering=0) as handle:
                while handle.read(MIB):
                    pass
        read_seconds = time.perf_counter() - started
        print(f"pg_dump -Fc to /dev/null: {[round(c.seconds, 1) for c in plain]} s", flush=True)

        # (2) + (3) backup_tenant: wall time, steps, peak memory
        tracemalloc.start()
        reset_ok = peak_reset()
        server_memory.reset()
        rss_before = proc_status_kb(Path("/proc/self/status"), "VmRSS")
        first_child, steps_before = len(children.runs), dict(steps)
        started = time.perf_counter()
        record = backups.backup_tenant(tenant=tenant)
        backup_seconds = time.perf_counter() - started
        backup_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        backup_traced = tracemalloc.get_traced_memory()[1]
        backup_server_kb = server_memory.peak_kb
        backup_steps = {k: v - steps_before.get(k, 0.0) for k, v in steps.items()}
        backup_dump = children.since(first_child, "pg_dump")
        backup_probes = children.since(first_child, "pg_dump --version")
        if record.status != BackupRecord.Status.SUCCEEDED:
            raise SystemExit(f"The backup failed after {backup_seconds:.1f} s: {record.error}")
        dump_bytes = backup_dump[-1].output_bytes
        print(f"backup_tenant: {backup_seconds:.1f} s, archive {mb(record.size or 0)}", flush=True)

        # (4) restore_drill: RTO
        peak_reset()
        server_memory.reset()
        first_child, steps_before = len(children.runs), dict(steps)
        started = time.perf_counter()
        drill = backups.restore_drill(tenant=tenant, record=record)
        drill_seconds = time.perf_counter() - started
        drill_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        drill_traced = tracemalloc.get_traced_memory()[1]
        drill_server_kb = server_memory.peak_kb
        drill_steps = {k: v - steps_before.get(k, 0.0) for k, v in steps.items()}
        drill_restore = children.since(first_child, "pg_restore")
        tracemalloc.stop()
        children_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"restore_drill: {drill.status}, {drill.restore_seconds:.1f} s", flush=True)
        assert drill.status == RestoreDrill.Status.PASSED, drill.error
        services.tenant_delete(slug=slug)
        slugs.remove(slug)

        # (5) nightly backup of many small tenants, one after another
        small = []
        provision = []
        for i in range(args.small_tenants):
            slug = f"bk-{run}-{i}"
            started = time.perf_counter()
            small.append(services.tenant_provision(slug=slug, name=slug, admin_email=f"admin@{slug}.example").tenant)
            provision.append(time.perf_counter() - started)
            slugs.append(slug)
            with schema_context(small[-1].schema_name):
                owner = User.objects.get()
                matrix = RiskMatrix.current()
                risks = []
                for j in range(1, 51):
                    risk = Risk(reference=f"R-{j:03d}", title=f"Risk {j}", owner=owner, likelihood=3, impact=j % 5 + 1)
                    risk.levels_compute(matrix)
                    risks.append(risk)
                Risk.objects.bulk_create(risks)
            folder = storage.local_folder(small[-1].schema_name, storage.FILES) / "evidence"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "policy.pdf").write_bytes(os.urandom(100_000))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_class")
            catalogue = cursor.fetchone()[0]
        print(f"{len(small)} small tenants provisioned in {sum(provision):.0f} s", flush=True)
        first_child, steps_before = len(children.runs), dict(steps)
        nightly = []
        nightly_started = time.perf_counter()
        for each in small:
            started = time.perf_counter()
            result = backups.backup_tenant(tenant=each)
            nightly.append(time.perf_counter() - started)
            assert result.status == BackupRecord.Status.SUCCEEDED, result.error
        nightly_seconds = time.perf_counter() - nightly_started
        nightly_steps = {k: v - steps_before.get(k, 0.0) for k, v in steps.items()}
        nightly_dump = children.since(first_child, "pg_dump")
        nightly_probes = children.since(first_child, "pg_dump --version")
    finally:
        connection.close()
        for slug in slugs:
            services.tenant_delete(slug=slug)
        shutil.rmtree(data_dir, ignore_errors=True)

    # --- report -------------------------------------------------------------------------
    data_bytes = table_bytes + file_bytes
    dump_rate = table_bytes / dump_seconds
    backup_rate = data_bytes / backup_seconds
    rss_note = "" if reset_ok else " (whole run: clear_refs unavailable)"
    server_note = "" if server_memory.seen else " (server not on this machine: not measured)"
    drill_restore_rss = max((child.maxrss_kb for child in drill_restore), default=0)

    lines.append(
        f"\nBackup of one tenant: {mb(data_bytes)} ({mb(table_bytes)} in {tables} tables on disk + {mb(file_bytes)} "
        f"in {args.files} files), {os.cpu_count()} cores, pg_dump {tools.parent.name}\n"
    )
    lines.append("| measurement | figure | target |\n|---|---|---|")
    lines.append(
        f"| plain `pg_dump -Fc -n` to /dev/null (best of 2) | {dump_seconds:.1f} s = {mb(dump_rate)}/s of table data "
        f"(dump {mb(dump_bytes)}) | |"
    )
    lines.append(
        f"| `backup_tenant` (tables + files, encrypted archive {mb(record.size or 0)}) | {backup_seconds:.1f} s = "
        f"{mb(backup_rate)}/s | |"
    )
    lines.append(f"| throughput ratio (backup MB/s ÷ pg_dump MB/s) | {backup_rate / dump_rate:.2f}× | ≥ 0.7× |")
    lines.append(
        f"| same-work ratio ((pg_dump + reading the files {read_seconds:.2f} s) ÷ backup) "
        f"| {(dump_seconds + read_seconds) / backup_seconds:.2f}× | |"
    )
    lines.append(
        f"| Python peak RSS during backup (ru_maxrss{rss_note}; {kb(rss_before)} before) "
        f"| {kb(backup_rss)} | < 200 MB |"
    )
    lines.append(f"| tracemalloc peak during backup | {mb(backup_traced)} | |")
    lines.append(
        f"| pg_dump peak RSS in the backup (its VmHWM) | {kb(max(c.maxrss_kb for c in backup_dump))} "
        f"(plain run {kb(max(c.maxrss_kb for c in plain))}) | |"
    )
    lines.append(
        f"| largest PostgreSQL backend during backup (anon RSS, sampled){server_note} | {kb(backup_server_kb)} | |"
    )
    lines.append(
        f"| `restore_drill`: {drill.status}, {drill.tables_checked} tables checked; RTO recorded "
        f"(wall incl. dropping the scratch database) | {drill.restore_seconds:.1f} s ({drill_seconds:.1f} s) "
        f"| minutes (≤ 4 h) |"
    )
    lines.append(f"| Python peak RSS during drill (ru_maxrss{rss_note}) | {kb(drill_rss)} | < 200 MB |")
    lines.append(f"| tracemalloc peak during drill | {mb(drill_traced)} | |")
    lines.append(f"| pg_restore peak RSS (its VmHWM) | {kb(drill_restore_rss)} | |")
    lines.append(f"| RUSAGE_CHILDREN ru_maxrss (counts this process's RSS at fork, see below) | {kb(children_rss)} | |")
    lines.append(
        f"| largest PostgreSQL backend during drill (anon RSS, sampled){server_note} | {kb(drill_server_kb)} | |"
    )

    lines.append("\nWhere the time goes\n\n| step | backup | drill |\n|---|---|---|")
    backup_rows = [
        (
            "pg_dump -Fc to a file / pg_restore",
            sum(c.seconds for c in backup_dump),
            sum(c.seconds for c in drill_restore),
        ),
        ("pg_dump --version probes (pg_tools)", sum(c.seconds for c in backup_probes), None),
        ("content fingerprint (live / restored)", backup_steps["fingerprint"], drill_steps["fingerprint"]),
        ("tar: add files", backup_steps["tar: add files"], None),
        ("encrypt / decrypt", backup_steps["encrypt"], drill_steps["decrypt"]),
        ("store: put / fetch", backup_steps["store: put"], drill_steps["store: fetch"]),
        ("fetch + sha256 + decrypt + untar (whole)", None, drill_steps["fetch, check, decrypt, untar"]),
    ]
    for label, in_backup, in_drill in backup_rows:
        cells = [f"{value:.1f} s" if value is not None else "" for value in (in_backup, in_drill)]
        lines.append(f"| {label} | {cells[0]} | {cells[1]} |")
    lines.append(f"| total | {backup_seconds:.1f} s | {drill_seconds:.1f} s |")

    count = len(nightly)
    lines.append(
        f"\nNightly backup, {count} small tenants in a row (50 risks and a 100 kB file each; "
        f"{catalogue:,} rows in pg_class)\n"
    )
    lines.append("| tenants | total | p50 | p95 | max | pg_dump (mean) | version probes (mean) | fingerprint (mean) |")
    lines.append("|---|---|---|---|---|---|---|---|")
    lines.append(
        f"| {count} | {nightly_seconds:.1f} s | {statistics.median(nightly):.2f} s | {percentile(nightly, 0.95):.2f} s "
        f"| {max(nightly):.2f} s | {sum(c.seconds for c in nightly_dump) / count:.2f} s "
        f"| {sum(c.seconds for c in nightly_probes) / count:.2f} s | {nightly_steps['fingerprint'] / count:.2f} s |"
    )
    lines.append(f"\nProvisioning the {count}: p50 {statistics.median(provision):.2f} s, total {sum(provision):.1f} s.")
    lines.append(f"Whole benchmark (fill, measurements, clean-up): {time.perf_counter() - bench_started:.0f} s.")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
