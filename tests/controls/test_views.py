"""The SoA pages: the list with filters and summary, the XLSX export, one control's page and edit form."""

import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts import services as account_services
from controls import services
from controls.models import Control


def _exclude(acme, control, justification="Fully remote company: no premises."):
    with schema_context("acme"):
        services.control_update(
            control=control,
            by=acme.ciso,
            applicable=False,
            status=Control.Status.NOT_APPLICABLE,
            justification=justification,
        )


def _reader_without_risk_access(acme):
    with schema_context("acme"):
        person = account_services.user_create(email="soa-reader@acme.example", roles=["Staff"])
        person.user_permissions.add(Permission.objects.get(content_type__app_label="controls", codename="view_control"))
        return type(person).objects.get(pk=person.pk)


def _rows(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_soa_lists_all_93_controls_with_a_summary(acme, control_in):
    _exclude(acme, control_in("7.4"))
    with schema_context("acme"):
        services.control_update(control=control_in("5.1"), by=acme.ciso, status=Control.Status.IMPLEMENTED)
    body = acme.logged_in_client(acme.auditor).get("/controls/").content.decode()
    assert len(re.findall(r'href="/controls/\d+/"', body)) == 93
    assert "92 of 93 Annex A controls applicable · 1 implemented" in body
    assert "Threat intelligence" in body and "8.34" in body
    assert body.index(">5.9<") < body.index(">5.10<")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("theme=people", [f"6.{n}" for n in range(1, 9)]),
        ("applicable=no", ["7.4"]),
        ("status=implemented", ["5.1"]),
        ("q=cloud", ["5.23"]),
        ("q=company", ["7.4"]),  # the justification is searched too
        ("theme=physical&applicable=yes&q=monitoring", []),
    ],
)
def test_filters(acme, control_in, query, expected):
    _exclude(acme, control_in("7.4"))
    with schema_context("acme"):
        services.control_update(control=control_in("5.1"), by=acme.ciso, status=Control.Status.IMPLEMENTED)
    client = acme.logged_in_client(acme.ciso)
    body = client.get(f"/controls/?{query}").content.decode()
    with schema_context("acme"):
        pks = dict(Control.objects.values_list("reference", "pk"))
    shown = [reference for reference, pk in pks.items() if f'href="/controls/{pk}/"' in body]
    assert sorted(shown) == sorted(expected)
    exported = _rows(client.get(f"/controls/export.xlsx?{query}"))
    assert [row[0] for row in exported[1:]] == expected


def test_xlsx_export_has_a_header_and_one_row_per_control(acme, control_in, make_risk):
    risks = [make_risk(title="Stolen laptop"), make_risk(title="Tailgating")]
    _exclude(acme, control_in("7.4"), justification='=HYPERLINK("http://evil")')
    with schema_context("acme"):
        services.control_update(
            control=control_in("7.9"), by=acme.ciso, owner=acme.security, status=Control.Status.PLANNED, risks=risks
        )
    response = acme.logged_in_client(acme.management).get("/controls/export.xlsx")
    assert "statement-of-applicability" in response["Content-Disposition"]
    rows = _rows(response)
    assert len(rows) == 94
    assert rows[0][:8] == [
        "Reference",
        "Control",
        "Theme",
        "Applicable",
        "Justification",
        "Implementation status",
        "Owner",
        "Linked risks",
    ]
    by_reference = {row[0]: row for row in rows[1:]}
    assert by_reference["5.1"][:8] == [
        "5.1",
        "Policies for information security",
        "Organisational",
        "Yes",
        None,
        "Not started",
        None,
        None,
    ]
    assert by_reference["7.4"][3:6] == ["No", '\'=HYPERLINK("http://evil")', "Not applicable"]  # never a formula
    assert by_reference["7.9"][5:8] == ["Planned", acme.security.email, f"{risks[0].reference}, {risks[1].reference}"]


def test_form_refuses_not_applicable_without_justification(acme, control_in):
    control = control_in("7.4")
    client = acme.logged_in_client(acme.security)
    response = client.post(
        f"/controls/{control.pk}/", {"applicable": "False", "status": "not_applicable", "justification": ""}
    )
    assert response.status_code == 200
    assert "Explain why the control is not applicable" in response.content.decode()
    stored = control_in("7.4")
    assert (stored.applicable, stored.status) == (True, Control.Status.NOT_STARTED)


def test_edit_through_the_page_shows_in_the_history(acme, control_in, make_risk):
    control = control_in("8.9")
    risk = make_risk(title="Misconfigured servers")
    client = acme.logged_in_client(acme.ciso)
    response = client.post(
        f"/controls/{control.pk}/",
        {
            "applicable": "True",
            "status": "partial",
            "justification": "Servers are managed as code.",
            "owner": acme.security.pk,
            "risks": [risk.pk],
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/controls/{control.pk}/"
    stored = control_in("8.9")
    with schema_context("acme"):
        assert list(stored.risks.all()) == [risk]
    assert (stored.status, stored.owner) == (Control.Status.PARTIAL, acme.security)
    body = client.get(f"/controls/{control.pk}/").content.decode()
    assert "control.updated" in body and "status: not_started → partial" in body
    assert f'href="/risks/{risk.pk}/"' in body


def test_linked_risk_the_reader_cannot_see_is_not_shown(acme, control_in, make_risk):
    reader = _reader_without_risk_access(acme)
    own = make_risk(owner=reader, title="Risk the reader owns")
    hidden = make_risk(owner=acme.ciso, title="Risk only the CISO sees")
    control = control_in("5.7")
    with schema_context("acme"):
        services.control_update(control=control, by=acme.ciso, risks=[own, hidden])
    client = acme.logged_in_client(reader)
    body = client.get(f"/controls/{control.pk}/").content.decode()
    assert f'href="/risks/{own.pk}/"' in body
    assert hidden.reference not in body and hidden.title not in body
    assert 'name="justification"' not in body  # read-only for readers
    exported = {row[0]: row for row in _rows(client.get("/controls/export.xlsx"))}
    assert exported["5.7"][7] == own.reference
    ciso_view = acme.logged_in_client(acme.ciso).get(f"/controls/{control.pk}/").content.decode()
    assert hidden.reference in ciso_view


@pytest.mark.parametrize("path", ["/controls/", "/controls/export.xlsx"])
def test_query_count_does_not_grow_with_linked_risks(acme, control_in, make_risk, path):
    client = acme.logged_in_client(acme.auditor)
    client.get(path)  # warm caches (content types, permissions) outside the measurement
    with CaptureQueriesContext(connection) as none_linked:
        assert client.get(path).status_code == 200
    risks = [make_risk(title=f"Risk {n}") for n in range(20)]
    with schema_context("acme"):
        for n, reference in enumerate(["5.1", "5.7", "8.9", "8.28"]):
            control_in(reference).risks.set(risks[n * 5 : (n + 1) * 5] + risks[:2])
    with CaptureQueriesContext(connection) as twenty_linked:
        assert client.get(path).status_code == 200
    assert len(twenty_linked) == len(none_linked)
    assert len(twenty_linked) <= 20  # nor with the 93 rows: no query per control


def test_risk_register_links_to_the_soa_for_its_readers(acme):
    link = 'href="/controls/"'
    assert link in acme.logged_in_client(acme.management).get("/risks/").content.decode()
    assert link not in acme.logged_in_client(acme.staff).get("/risks/").content.decode()
