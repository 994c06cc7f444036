"""Benchmark: time to create a tenant by cloning the template schema vs. running every migration.

Usage: make bench   (or: BENCH_DATABASE_URL=postgres://… python bench/tenant_provisioning.py [--tenants 100])

Runs against its own database (created if missing, tenants removed afterwards) and prints
a Markdown table for bench/README.md.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=100, help="tenants created in a row by cloning")
    parser.add_argument("--migrate-every", type=int, default=5, help="also provision by migrating every Nth")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/isms_bench")
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isms.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from tenants import cloning, services

    services.platform_migrate()
    run = uuid.uuid4().hex[:6]

    def create_and_migrate(*, source: str, target: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{target}"')
        call_command("migrate_schemas", schema_name=target, tenant=True, interactive=False, verbosity=0)

    clone = cloning.schema_clone

    def provision(slug: str, *, by_clone: bool) -> float:
        """The same provisioning, with the schema either cloned or created and migrated."""
        cloning.schema_clone = clone if by_clone else create_and_migrate
        try:
            started = time.perf_counter()
            services.tenant_provision(slug=slug, name=slug, admin_email=f"admin@{slug}.example")
            return time.perf_counter() - started
        finally:
            cloning.schema_clone = clone

    cloned: list[float] = []
    migrated: list[float] = []
    slugs = []
    total_started = time.perf_counter()
    for i in range(args.tenants):
        slugs.append(f"bench-{run}-{i}")
        cloned.append(provision(slugs[-1], by_clone=True))
        if i % args.migrate_every == 0:  # interleaved, so both see the same catalogue size
            slugs.append(f"bench-{run}-m{i}")
            migrated.append(provision(slugs[-1], by_clone=False))
    total = time.perf_counter() - total_started - sum(migrated)
    for slug in slugs:
        services.tenant_delete(slug=slug)

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{settings.TENANT_BASE_SCHEMA}".django_migrations')  # noqa: S608 — TENANT_BASE_SCHEMA is a constant setting, double-quoted
        migrations = cursor.fetchone()[0]
    print(f"\nTenant provisioning ({migrations} tenant migrations, {os.cpu_count()} cores)\n")
    print("| method | tenants | p50 | p95 | max | first 10 (mean) | last 10 (mean) | total |")
    print("|---|---|---|---|---|---|---|---|")
    for label, values, wall in (
        ("clone the template (tenants.cloning)", cloned, total),
        ("create schema + run every migration", migrated, sum(migrated)),
    ):
        print(
            f"| {label} | {len(values)} | {statistics.median(values):.2f} s | {percentile(values, 0.95):.2f} s "
            f"| {max(values):.2f} s | {statistics.mean(values[:10]):.2f} s | {statistics.mean(values[-10:]):.2f} s "
            f"| {wall:.1f} s |"
        )


if __name__ == "__main__":
    main()
