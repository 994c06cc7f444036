import pytest
from django_tenants.utils import schema_context

from controls.models import Control
from risks import services as risk_services


@pytest.fixture
def control_in(acme):
    """A control of the acme tenant by its Annex A reference."""

    def get(reference: str = "5.7") -> Control:
        with schema_context("acme"):
            return Control.objects.select_related("owner").get(reference=reference)

    return get


@pytest.fixture
def make_risk(acme):
    def make(owner=None, title="Phishing of admin accounts"):
        with schema_context("acme"):
            return risk_services.risk_create(
                by=acme.ciso, owner=owner or acme.ciso, title=title, likelihood=3, impact=4
            )

    return make
