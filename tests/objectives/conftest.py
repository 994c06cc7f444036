from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from objectives import services
from objectives.models import Objective


@pytest.fixture
def make_objective(acme):
    """An objective in acme, created by its CISO, with key results given as (baseline, target, current)."""

    def make(owner=None, title="Patch faster", period="2026 H2", results=(), risks=(), **fields) -> Objective:
        with schema_context("acme"):
            objective = services.objective_create(
                by=acme.ciso, owner=owner or acme.ciso, title=title, period=period, risks=risks, **fields
            )
            for n, (baseline, target, current) in enumerate(results, 1):
                services.key_result_add(
                    objective=objective,
                    by=acme.ciso,
                    metric=f"Metric {n}",
                    baseline=Decimal(baseline),
                    target=Decimal(target),
                    current=Decimal(current),
                    unit="%",
                )
            return Objective.objects.select_related("owner").get(pk=objective.pk)

    return make
