"""Attachments: encrypted in the tenant's own Azure container, checked for size and type, downloads
permission-checked and audited, tampering detected with a clear page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from audit.models import AuditEvent
from core import storage
from incidents import attachments
from incidents.models import Attachment

LOG = b"2026-11-26T10:01:02Z sshd[811]: Failed password for root from 203.0.113.9 port 51122\n" * 50
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def _upload(client, incident, name, content, content_type="application/octet-stream"):
    return client.post(
        f"/incidents/{incident.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        follow=True,
    )


def _blobs(service, slug):
    container = service.get_container_client(f"{slug}-files")
    return {blob.name: container.download_blob(blob.name).readall() for blob in container.list_blobs()}


@pytest.fixture
def incident(make_incident, acme):
    return make_incident(by=acme.staff, status="triaged", assignee=acme.operations)


def test_the_stored_object_is_ciphertext_in_the_tenants_own_container(acme, incident, on_azure):
    response = _upload(acme.logged_in_client(acme.staff), incident, "auth.log", LOG, "text/plain")
    assert "“auth.log” attached" in response.content.decode()
    with schema_context("acme"):
        attachment = Attachment.objects.get(incident=incident)
    stored = _blobs(on_azure, "acme")
    assert list(stored) == [attachment.object_name]
    blob = stored[attachment.object_name]
    assert blob.startswith(b"ISMSENC")
    assert b"Failed password" not in blob and LOG[:64] not in blob
    assert len(blob) == attachment.stored_size > len(LOG) == attachment.size
    assert not any(name.startswith("incidents/") for name in _blobs(on_azure, "globex"))


def test_an_allowed_reader_downloads_the_original_bytes_and_it_is_audited(acme, incident, on_azure):
    _upload(acme.logged_in_client(acme.staff), incident, "phish.png", PNG, "image/png")
    with schema_context("acme"):
        attachment = Attachment.objects.get(incident=incident)
    response = acme.logged_in_client(acme.management).get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert 'attachment; filename="phish.png"' in response["Content-Disposition"]
    with schema_context("acme"):
        event = AuditEvent.objects.get(action="incident.attachment_downloaded")
        assert event.actor == acme.management and event.changes == {"attachment": [None, "phish.png"]}


def test_another_tenants_user_cannot_download_it_even_with_the_url(acme, globex, incident, on_azure):
    _upload(acme.logged_in_client(acme.staff), incident, "auth.log", LOG)
    with schema_context("acme"):
        url = Attachment.objects.get(incident=incident).get_absolute_url()
    for role in ("ciso", "operations", "admin", "staff"):
        response = globex.logged_in_client(getattr(globex, role)).get(url)
        assert response.status_code == 404
        assert b"Failed password" not in response.content
    # A globex session means nothing on acme's host either.
    stolen = globex.logged_in_client(globex.ciso)
    response = stolen.get(url, HTTP_HOST=acme.host)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    # Inside acme, people without access to the incident get the same 404.
    assert acme.logged_in_client(acme.external).get(url).status_code == 404
    with schema_context("acme"):
        assert not AuditEvent.objects.filter(action="incident.attachment_downloaded").exists()


def test_an_oversize_file_is_refused_and_nothing_is_stored(acme, incident, on_azure, settings):
    settings.INCIDENT_ATTACHMENT_MAX_BYTES = 1000
    response = _upload(acme.logged_in_client(acme.operations), incident, "big.log", b"x" * 5000, "text/plain")
    assert "The file is larger than the limit of 1000 B." in response.content.decode()
    with schema_context("acme"):
        assert not Attachment.objects.exists()
        with pytest.raises(attachments.AttachmentRefused, match=r"The file is 4 kB; the limit is 1000 B\."):
            attachments.attachment_add(
                incident=incident, by=acme.operations, upload=io.BytesIO(b"x" * 4096), filename="big.log", size=4096
            )
    assert _blobs(on_azure, "acme") == {}


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("tool.exe", b"MZ\x90\x00\x03" + b"\x00" * 100, "Files of type “.exe” are not accepted."),
        ("script.sh", b"#!/bin/sh\nrm -rf /\n", "Files of type “.sh” are not accepted."),
        ("photo.png", b"MZ\x90\x00 not really a png", "“photo.png” does not look like a .png file"),
        ("report.pdf", b"<html><script>alert(1)</script></html>", "“report.pdf” does not look like a .pdf file"),
        ("notes.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "“notes.txt” does not look like a .txt file"),
        ("noextension", b"hello", "Files of type “.?” are not accepted."),
    ],
)
def test_forbidden_types_are_refused_by_name_and_by_content(acme, incident, on_azure, name, content, message):
    response = _upload(acme.logged_in_client(acme.operations), incident, name, content)
    assert message in response.content.decode()
    with schema_context("acme"):
        assert not Attachment.objects.exists()
    assert _blobs(on_azure, "acme") == {}


def test_tampered_ciphertext_fails_to_decrypt_with_a_clear_page(acme, incident, on_azure):
    _upload(acme.logged_in_client(acme.staff), incident, "auth.log", LOG)
    with schema_context("acme"):
        attachment = Attachment.objects.get(incident=incident)
    container = on_azure.get_container_client("acme-files")
    blob = bytearray(container.download_blob(attachment.object_name).readall())
    blob[-40] ^= 0x01  # one bit of the last chunk
    container.upload_blob(attachment.object_name, bytes(blob), overwrite=True)

    response = acme.logged_in_client(acme.operations).get(attachment.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 409
    assert "This attachment failed its integrity check" in page
    assert "the stored file was changed or is incomplete" in page
    assert "Failed password" not in page
    with schema_context("acme"):
        event = AuditEvent.objects.get(action="incident.attachment_damaged")
        assert event.actor == acme.operations
        assert not AuditEvent.objects.filter(action="incident.attachment_downloaded").exists()


def test_an_object_moved_to_another_name_does_not_open(acme, make_incident, incident, on_azure):
    """The object name is bound into the encryption: copying one incident's file under another's fails."""
    other = make_incident(by=acme.staff, title="Second incident")
    client = acme.logged_in_client(acme.staff)
    _upload(client, incident, "a.log", LOG)
    _upload(client, other, "b.log", b"harmless\n")
    with schema_context("acme"):
        first = Attachment.objects.get(incident=incident)
        second = Attachment.objects.get(incident=other)
    container = on_azure.get_container_client("acme-files")
    container.upload_blob(second.object_name, container.download_blob(first.object_name).readall(), overwrite=True)
    response = acme.logged_in_client(acme.operations).get(second.get_absolute_url())
    assert response.status_code == 409
    assert "belongs to another tenant or record" in response.content.decode()


def test_on_local_disk_the_file_is_encrypted_too(acme, incident, settings, tmp_path):
    settings.AZURE_STORAGE_CONNECTION_STRING = ""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "core.storage.TenantFileSystemStorage"}}
    settings.MEDIA_ROOT = tmp_path
    client = acme.logged_in_client(acme.staff)
    _upload(client, incident, "auth.log", LOG)
    with schema_context("acme"):
        attachment = Attachment.objects.get(incident=incident)
    stored = (tmp_path / "acme" / attachment.object_name).read_bytes()
    assert stored.startswith(b"ISMSENC") and b"Failed password" not in stored
    assert b"".join(client.get(attachment.get_absolute_url()).streaming_content) == LOG


def test_a_large_file_goes_up_in_blocks_and_comes_back_whole(acme, incident, on_azure):
    """Bigger than one upload block: staged in pieces while encrypting, committed once, decrypted as it streams."""
    line = b"2026-11-26T10:01:02Z kernel: eth0 link up, 1000 Mbps full duplex, flow control rx/tx\n"
    content = line * (9 * 1024 * 1024 // len(line) + 1)
    with schema_context("acme"):
        attachment = attachments.attachment_add(
            incident=incident, by=acme.operations, upload=io.BytesIO(content), filename="kernel.log", size=len(content)
        )
    assert len(content) > 2 * storage.BLOCK_BYTES
    blocks = on_azure.get_container_client("acme-files").get_blob_client(attachment.object_name).get_block_list()[0]
    assert len(blocks) == -(-attachment.stored_size // storage.BLOCK_BYTES)
    response = acme.logged_in_client(acme.ciso).get(attachment.get_absolute_url())
    assert b"".join(response.streaming_content) == content
