"""Benchmark: the risk register page at 10,000 risks in one tenant, with 50 other tenants present.

Usage: make bench   (or: BENCH_DATABASE_URL=postgres://… python bench/risk_list.py)

Measures server time of GET /risks/ (50 rows, both heat maps, filters) through the whole
middleware stack for a reader who sees every risk, the time to build one heat map alone,
and the page's query count.
"""

import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tenant_provisioning import ensure_database, percentile  # noqa: E402

RISKS, OTHER_TENANTS, REQUESTS = 10_000, 50, 200


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/isms_bench")
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isms.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from accounts.models import User
    from risks.heatmap import heatmap
    from risks.models import Risk, RiskMatrix
    from tenants import services

    services.platform_migrate()
    run = uuid.uuid4().hex[:6]
    slugs = [f"list-{run}-{i}" for i in range(OTHER_TENANTS + 1)]
    for slug in slugs:
        services.tenant_provision(slug=slug, name=slug, admin_email=f"admin@{slug}.example")
    schema = services.schema_name_for(slugs[0])
    rng = random.Random(11)  # noqa: S311 -- reproducible bench data
    try:
        with schema_context(schema):
            owners = User.objects.bulk_create([User(email=f"o{i}@bench.example") for i in range(50)])
            matrix = RiskMatrix.current()
            risks = []
            for i in range(1, RISKS + 1):
                risk = Risk(
                    reference=f"R-{i:05d}",
                    title=f"Risk {i}",
                    owner=rng.choice(owners),
                    likelihood=rng.randint(1, 5),
                    impact=rng.randint(1, 5),
                    residual_likelihood=rng.randint(1, 3),
                    residual_impact=rng.randint(1, 3),
                )
                risk.levels_compute(matrix)
                risks.append(risk)
            Risk.objects.bulk_create(risks, batch_size=2000)
            reader = User.objects.create_user("auditor@bench.example", None)
            reader.groups.add(Group.objects.get(name="Auditor"))
            build = []
            for _ in range(50):
                started = time.perf_counter()
                drawing = heatmap(Risk.objects.all(), matrix, residual=False, selected=None)
                build.append((time.perf_counter() - started) * 1000)
            assert drawing["total"] == RISKS
        client = Client(HTTP_HOST=f"{slugs[0]}.{os.environ.get('BASE_DOMAIN', 'localhost')}")
        with schema_context(schema):
            client.force_login(reader, backend="django.contrib.auth.backends.ModelBackend")
        lines = []
        for label, path in (
            ("first page", "/risks/"),
            ("sorted by score, level filter", "/risks/?sort=-score&level=high"),
            ("heat-map cell", "/risks/?map=inherent&lik=4&imp=5"),
        ):
            for _ in range(5):
                client.get(path)
            # With and without the tenant role (`SET ROLE` beside `SET search_path` on activation),
            # interleaved in small batches so both see the same machine load.
            times: dict[bool, list[float]] = {True: [], False: []}
            for batch in range(REQUESTS // 10):
                with_role = batch % 2 == 0
                connection.settings_dict["TENANT_ROLES"] = with_role
                connection.close()
                for _ in range(20):
                    started = time.perf_counter()
                    assert client.get(path).status_code == 200
                    times[with_role].append((time.perf_counter() - started) * 1000)
            connection.settings_dict["TENANT_ROLES"] = True
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            on, off = times[True], times[False]
            lines.append(
                f"| {label} | {statistics.median(on):.1f} ms | {percentile(on, 0.95):.1f} ms | "
                f"{percentile(off, 0.95):.1f} ms | {(percentile(on, 0.95) / percentile(off, 0.95) - 1) * 100:+.1f} % "
                f"| {len(queries)} |"
            )
    finally:
        connection.close()
        for slug in slugs:
            services.tenant_delete(slug=slug)
    print(f"\nRisk register, {RISKS} risks, {OTHER_TENANTS} other tenants, {REQUESTS} requests each\n")
    print("| page | p50 | p95 | p95 without SET ROLE | SET ROLE cost (p95) | queries |\n|---|---|---|---|---|---|")
    print("\n".join(lines))
    print(f"\nOne heat map (10,000 risks): p50 {statistics.median(build):.1f} ms, p95 {percentile(build, 0.95):.1f} ms")


if __name__ == "__main__":
    main()
