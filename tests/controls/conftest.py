import pytest
from django_tenants.utils import schema_context

from controls.models import Control


@pytest.fixture
def control_in(acme):
    """A control of the acme tenant by its Annex A reference."""

    def get(reference: str = "5.7") -> Control:
        with schema_context("acme"):
            return Control.objects.select_related("owner").get(reference=reference)

    return get
