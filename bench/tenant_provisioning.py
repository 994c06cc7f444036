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
    parser.add_argument("--migrated", type=int, default=5, help="schemas created by running all migrations")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/isms_bench")
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isms.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tenants import services

    services.platform_migrate()
    run = uuid.uuid4().hex[:6]

    migrated: list[float] = []
    for i in range(args.migrated):
        schema = f"bench_migrated_{run}_{i}"
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
        call_command("migrate_schemas", schema_name=schema, tenant=True, interactive=False, verbosity=0)
        migrated.append(time.perf_counter() - started)
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')

    cloned: list[float] = []
    slugs = []
    total_started = time.perf_counter()
    for i in range(args.tenants):
        slug = f"bench-{run}-{i}"
        started = time.perf_counter()
        services.tenant_provision(slug=slug, name=f"Bench {i}", admin_email=f"admin@{slug}.example")
        cloned.append(time.perf_counter() - started)
        slugs.append(slug)
    total = time.perf_counter() - total_started
    for slug in slugs:
        services.tenant_delete(slug=slug)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations")
        migrations = cursor.fetchone()[0]
    print(f"\nTenant provisioning ({migrations} migrations in the public schema, {os.cpu_count()} cores)\n")
    print("| method | tenants | p50 | p95 | max | total |")
    print("|---|---|---|---|---|---|")
    for label, values, wall in (
        ("clone template (tenant_provision)", cloned, total),
        ("plain migrate of an empty schema", migrated, sum(migrated)),
    ):
        print(
            f"| {label} | {len(values)} | {statistics.median(values):.2f} s | {percentile(values, 0.95):.2f} s "
            f"| {max(values):.2f} s | {wall:.1f} s |"
        )


if __name__ == "__main__":
    main()
