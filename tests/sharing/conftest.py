import pytest
from django_tenants.utils import schema_context

from risks import services


@pytest.fixture
def make_risk(acme):
    def make(owner=None, title="Phishing of admin accounts", **fields):
        with schema_context("acme"):
            return services.risk_create(
                by=acme.ciso,
                owner=owner or acme.ciso,
                title=title,
                likelihood=fields.pop("likelihood", 3),
                impact=fields.pop("impact", 4),
                **fields,
            )

    return make
