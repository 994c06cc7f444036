"""Benchmark: the risk list filtered by object permissions and shares, 10,000 risks and 500 people.

Usage: make bench   (or: BENCH_DATABASE_URL=postgres://… python bench/permission_list.py)

Measures server time of GET /risks/ (first page of 50) through Django's full request stack,
for a person who sees only what they own or was shared with them, and for an auditor who
sees everything; reports the query count of each. Also measures audit writes from two
threads into the same tenant and into two different tenants.
"""

import os
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tenant_provisioning import ensure_database, percentile  # noqa: E402

RISKS, PEOPLE, SHARES, REQUESTS = 10_000, 500, 2_000, 200


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/isms_bench")
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isms.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    import audit
    from accounts.models import User
    from risks.models import Risk, RiskUserObjectPermission
    from sharing.models import ShareGrant
    from tenants import services

    services.platform_migrate()
    run = uuid.uuid4().hex[:6]
    slugs = [f"perm-{run}-a", f"perm-{run}-b"]
    for slug in slugs:
        services.tenant_provision(slug=slug, name=slug, admin_email=f"admin@{slug}.example")
    schema = services.schema_name_for(slugs[0])
    rng = random.Random(7)  # noqa: S311 -- reproducible bench data
    try:
        with schema_context(schema):
            staff_role = Group.objects.get(name="Staff")
            people = User.objects.bulk_create(
                [User(email=f"person{i}@bench.example", full_name=f"Person {i}") for i in range(PEOPLE)]
            )
            staff_role.user_set.add(*people)
            auditor = User.objects.create_user("auditor@bench.example", None, full_name="Auditor")
            auditor.groups.add(Group.objects.get(name="Auditor"))
            risks = Risk.objects.bulk_create(
                [
                    Risk(
                        reference=f"R-{i:05d}",
                        title=f"Risk {i}",
                        owner=rng.choice(people),
                        likelihood=rng.randint(1, 5),
                        impact=rng.randint(1, 5),
                    )
                    for i in range(1, RISKS + 1)
                ]
            )
            view = Permission.objects.get(content_type__app_label="risks", codename="view_risk")
            RiskUserObjectPermission.objects.bulk_create(
                [RiskUserObjectPermission(user=risk.owner, permission=view, content_object=risk) for risk in risks]
            )
            risk_type = ContentType.objects.get_for_model(Risk)
            ShareGrant.objects.bulk_create(
                [
                    ShareGrant(
                        content_type=risk_type,
                        object_id=rng.choice(risks).pk,
                        grantee_user=rng.choice(people),
                        granted_by=rng.choice(people),
                    )
                    for _ in range(SHARES)
                ]
            )
            reader = people[0]
            visible = Risk.objects.filter(owner=reader).count()

        host = f"{slugs[0]}.{os.environ.get('BASE_DOMAIN', 'localhost')}"
        lines = []
        for label, user in (("person (own + shared)", reader), ("auditor (all 10,000)", auditor)):
            client = Client(HTTP_HOST=host)
            with schema_context(schema):
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            times = []
            for _ in range(5):
                client.get("/risks/")  # warm up
            for _ in range(REQUESTS):
                started = time.perf_counter()
                response = client.get("/risks/")
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            with CaptureQueriesContext(connection) as queries:
                client.get("/risks/")
            lines.append(
                f"| {label} | {statistics.median(times):.1f} ms | {percentile(times, 0.95):.1f} ms | {len(queries)} |"
            )

        def writer(schema_name: str, count: int, out: list[float]) -> None:
            started = time.perf_counter()
            with schema_context(schema_name):
                for i in range(count):
                    audit.record(actor=None, action="bench.write", object_label=str(i))
            out.append(time.perf_counter() - started)
            connections.close_all()

        audit_lines = []
        for label, targets in (
            ("same tenant", [schema, schema]),
            ("two tenants", [schema, services.schema_name_for(slugs[1])]),
        ):
            durations: list[float] = []
            threads = [threading.Thread(target=writer, args=(target, 500, durations)) for target in targets]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
            audit_lines.append(f"| {label} | 2 × 500 | {wall:.2f} s | {1000 / wall:.0f} events/s |")
    finally:
        connection.close()
        for slug in slugs:
            services.tenant_delete(slug=slug)

    print(
        f"\nRisk list, {RISKS} risks, {PEOPLE} people, {SHARES} shares; the person owns {visible}; "
        f"{REQUESTS} requests each, in-process through the full middleware stack\n"
    )
    print("| reader | p50 | p95 | queries |\n|---|---|---|---|")
    print("\n".join(lines))
    print("\nAudit writes from two threads (each write in its own transaction, chained)\n")
    print("| target | events | wall | throughput |\n|---|---|---|---|")
    print("\n".join(audit_lines))


if __name__ == "__main__":
    main()
