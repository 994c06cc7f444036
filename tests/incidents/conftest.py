"""Fixtures of the incident tests: incidents made through the services, and acme/globex on Azurite."""

import pytest
from azure.storage.blob import BlobServiceClient
from django.test import override_settings
from django_tenants.utils import schema_context

from core import storage
from incidents import services


@pytest.fixture
def make_incident(acme):
    """Report an incident in acme (as staff by default) and optionally move it along the workflow."""

    def make(by=None, title="Phishing e-mail with a fake login page", status="reported", assignee=None, **fields):
        with schema_context("acme"):
            incident = services.incident_report(
                by=by or acme.staff,
                title=title,
                description=fields.pop("description", "Several people got it."),
                **fields,
            )
            steps = ["triaged", "contained", "resolved", "closed"]
            for step in steps[: steps.index(status) + 1] if status != "reported" else []:
                if step == "closed" and not incident.root_cause:
                    incident = services.incident_update(incident=incident, by=acme.operations, root_cause="Weak filter")
                incident = services.incident_transition(
                    incident=incident,
                    by=acme.operations,
                    to=step,
                    severity=2 if step == "triaged" else None,
                    assignee=assignee if step == "triaged" else None,
                )
            return incident

    return make


@pytest.fixture
def on_azure(settings, azurite, worlds):
    """Default storage is Azure Blob (Azurite), with acme's and globex's containers present."""
    settings.AZURE_STORAGE_CONNECTION_STRING = azurite
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "core.storage.TenantAzureStorage"}}
    with override_settings(AZURE_STORAGE_CONNECTION_STRING=azurite):
        for world in worlds.values():
            storage.tenant_containers_create(world.tenant)
    service = BlobServiceClient.from_connection_string(azurite)
    yield service
    for slug in ("acme", "globex"):
        container = service.get_container_client(f"{slug}-files")
        for blob in container.list_blobs(name_starts_with="incidents/"):
            container.delete_blob(blob.name)
