"""The policies pages as people use them: writing and publishing a version, acknowledging, the
acknowledgement record and its exports, inert Markdown on the page, fixed query counts."""

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from accounts import services as account_services
from audit.models import AuditEvent
from policies import services
from policies.models import Acknowledgement, Policy, PolicyVersion

from .conftest import version

HOSTILE = """# Rules

<script>alert('body')</script>

<img src=x onerror="alert('img')">

[plain](javascript:alert('a'))
[mixed](JaVaScRiPt:alert('b'))
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
[spaced](java&#09;script:alert('c'))
[tabbed](<java\tscript:alert('d')>)
[encoded](&#106;avascript:alert('e'))
![pic](javascript:alert('f'))

[fine](https://intranet.example/policy) and [mail](mailto:security@acme.example)
"""


def _body(response) -> str:
    return response.content.decode()


def _policy_html(response) -> str:
    """The rendered policy text on the page."""
    match = re.search(r'<div class="policy-body">(.*?)</div>', _body(response), re.S)
    assert match, "no policy text on the page"
    return match.group(1)


class _Elements(HTMLParser):
    """Every element and attribute the browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def _assert_inert(html: str) -> None:
    elements = _Elements()
    elements.feed(html)
    assert not {"script", "img", "iframe", "object", "embed", "svg"} & set(elements.tags), elements.tags
    assert not [name for name, _value in elements.attributes if name.startswith("on")]
    for name, value in elements.attributes:
        if name in ("href", "src"):
            # As a browser reads it: surrounding controls and spaces dropped, tabs and newlines removed.
            url = re.sub(r"[\t\n\r]", "", value.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08 \x0b\x0c\x0e\x0f"))
            scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", url)
            assert scheme is None or scheme.group(1).lower() in ("http", "https", "mailto"), value
    links = [value for name, value in elements.attributes if name == "href"]
    assert "https://intranet.example/policy" in links and "mailto:security@acme.example" in links
    assert "<script" not in html.lower()


def test_hostile_markdown_renders_inert_on_the_policy_page_the_version_page_and_the_preview(acme):
    with schema_context("acme"):
        policy = services.policy_create(by=acme.ciso, title="Hostile policy", owner=acme.ciso)
        draft = services.policy_version_create(policy=policy, by=acme.security, body=HOSTILE)
        services.policy_version_approve(version=draft, by=acme.ciso)
        services.policy_version_publish(version=draft, by=acme.ciso)
    staff = acme.logged_in_client(acme.staff)
    for url in (f"/policies/{policy.pk}/", f"/policies/{policy.pk}/versions/1/"):
        html = _policy_html(staff.get(url))
        _assert_inert(html)
        assert "&lt;script&gt;alert('body')&lt;/script&gt;" in html  # shown as text
    preview = acme.logged_in_client(acme.security).post(
        f"/policies/{policy.pk}/versions/new/", {"body": HOSTILE, "change_summary": "", "preview": "1"}
    )
    assert preview.status_code == 200
    _assert_inert(_policy_html(preview))
    with schema_context("acme"):
        assert policy.versions.count() == 1  # preview saves nothing


def test_writing_approving_and_publishing_a_new_version_through_the_pages(acme, make_policy):
    policy = make_policy(states=("published",))
    security = acme.logged_in_client(acme.security)
    form = security.get(f"/policies/{policy.pk}/versions/new/")
    assert "Version 1 text." in _body(form)  # starts from the text in force
    saved = security.post(
        f"/policies/{policy.pk}/versions/new/",
        {"body": "# IT security policy\n\nUse a password manager.", "change_summary": "Password managers"},
    )
    assert saved.status_code == 302
    assert saved["Location"] == f"/policies/{policy.pk}/versions/2/"
    edited = security.post(
        f"/policies/{policy.pk}/versions/2/edit/",
        {"body": "# IT security policy\n\nUse the company password manager.", "change_summary": "Password managers"},
    )
    assert edited.status_code == 302
    draft = _body(acme.logged_in_client(acme.ciso).get(f"/policies/{policy.pk}/versions/2/"))
    assert "Changes compared with version 1, the one in force" in draft
    assert '<span class="policy-diff__removed">− Version 1 text.</span>' in draft
    assert '<span class="policy-diff__added">+ Use the company password manager.</span>' in draft
    # Security wrote it and may not approve; the CISO may.
    assert security.get(f"/policies/{policy.pk}/versions/2/approve/").status_code == 404
    ciso = acme.logged_in_client(acme.ciso)
    confirm = ciso.get(f"/policies/{policy.pk}/versions/2/approve/")
    assert "Your name and the time are recorded" in _body(confirm)
    assert version(policy, 2).status == "draft"  # the confirmation page writes nothing
    assert ciso.post(f"/policies/{policy.pk}/versions/2/approve/").status_code == 302
    # Approved text is frozen: the edit page is gone.
    assert security.get(f"/policies/{policy.pk}/versions/2/edit/").status_code == 404
    confirm = ciso.get(f"/policies/{policy.pk}/versions/2/publish/")
    assert "This cannot be undone." in _body(confirm)
    assert ciso.post(f"/policies/{policy.pk}/versions/2/publish/").status_code == 302
    page = _body(acme.logged_in_client(acme.staff).get(f"/policies/{policy.pk}/"))
    assert "Use the company password manager." in page
    assert "Version 1 text." not in page
    assert "approved by CISO of Acme AB" in page
    assert "History" not in page  # the audit trail is for those who read every version
    old = _body(acme.logged_in_client(acme.staff).get(f"/policies/{policy.pk}/versions/1/"))
    assert "Version 1 text." in old
    assert "This version is no longer in force." in old


def test_the_draft_author_who_approves_is_told_why_not(acme):
    with schema_context("acme"):
        policy = services.policy_create(by=acme.ciso, title="Logging policy", owner=acme.ciso)
        services.policy_version_create(policy=policy, by=acme.ciso, body="Keep logs 12 months.")
    ciso = acme.logged_in_client(acme.ciso)
    page = ciso.get(f"/policies/{policy.pk}/versions/1/approve/")
    assert page.status_code == 200
    assert "You wrote or edited this draft: someone else must approve it." in _body(page)
    refused = ciso.post(f"/policies/{policy.pk}/versions/1/approve/")
    assert refused.status_code == 400
    assert version(policy, 1).status == "draft"


def test_a_new_version_asks_me_again_and_shows_which_version_i_acknowledged(acme, make_policy):
    policy = make_policy(states=("published", "approved"))
    staff = acme.logged_in_client(acme.staff)
    page = _body(staff.get(f"/policies/{policy.pk}/"))
    assert "You have not acknowledged this policy yet." in page
    assert "I have read and understood version 1" in page
    staff.post(f"/policies/{policy.pk}/versions/1/acknowledge/")
    page = _body(staff.get(f"/policies/{policy.pk}/"))
    assert "You acknowledged version 1 on" in page
    assert "I have read and understood" not in page
    acme.logged_in_client(acme.management).post(f"/policies/{policy.pk}/versions/2/publish/")
    page = _body(staff.get(f"/policies/{policy.pk}/"))
    assert re.search(r"You acknowledged version 1 on \d{4}-\d\d-\d\d; version 2 is new", page)
    assert "I have read and understood version 2" in page
    assert "Version 2 is new" in _body(staff.get("/policies/"))
    records = _body(acme.logged_in_client(acme.auditor).get(f"/policies/{policy.pk}/acknowledgements/?state=older"))
    assert "staff@acme.example" in records
    assert "Earlier version only" in records
    assert "ciso@acme.example" not in records
    staff.post(f"/policies/{policy.pk}/versions/2/acknowledge/")
    page = _body(staff.get(f"/policies/{policy.pk}/"))
    assert "You acknowledged version 2 on" in page
    with schema_context("acme"):
        assert sorted(Acknowledgement.objects.filter(user=acme.staff).values_list("version__number", flat=True)) == [
            1,
            2,
        ]


def test_acknowledgement_record_and_exports(acme, make_policy):
    policy = make_policy(states=("published", "approved"))
    with schema_context("acme"):
        services.policy_acknowledge(user=acme.operations, version=version(policy, 1))
        services.policy_version_publish(version=version(policy, 2), by=acme.ciso)
        services.policy_acknowledge(user=acme.staff, version=version(policy, 2))
        account_services.user_create(email="=cmd@acme.example", full_name="=HYPERLINK(1)", roles=["Staff"])
    client = acme.logged_in_client(acme.management)
    page = _body(client.get(f"/policies/{policy.pk}/acknowledgements/"))
    assert "1 of 9 people (11 %) acknowledged version 2" in page
    exported = client.get(f"/policies/{policy.pk}/acknowledgements/?format=csv")
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(exported.content.decode()))}
    assert rows["staff@acme.example"]["status"] == "current"
    assert rows["staff@acme.example"]["acknowledged_version"] == "2"
    assert rows["operations@acme.example"]["status"] == "older"
    assert rows["operations@acme.example"]["acknowledged_version"] == "1"
    assert rows["ciso@acme.example"]["status"] == "never"
    assert rows["'=cmd@acme.example"]["person"] == "'=HYPERLINK(1)"  # formula-safe
    workbook = load_workbook(io.BytesIO(client.get(f"/policies/{policy.pk}/acknowledgements/?format=xlsx").content))
    sheet = list(workbook.active.values)
    assert sheet[0][:5] == ("policy", "person", "email", "roles", "status")
    assert len(sheet) == 1 + 9  # everyone in acme: one per role and the new person


def test_creating_and_editing_a_policy(acme):
    client = acme.logged_in_client(acme.ciso)
    response = client.post(
        "/policies/new/",
        {"title": "Remote work policy", "owner": acme.security.pk, "audience_scope": "roles", "audience": []},
    )
    assert response.status_code == 200
    assert "Tick at least one role, or choose everyone." in _body(response)
    response = client.post(
        "/policies/new/",
        {
            "title": "Remote work policy",
            "owner": acme.security.pk,
            "audience_scope": "roles",
            "audience": ["Staff", "External"],
            "onboarding": "on",
        },
    )
    assert response.status_code == 302
    with schema_context("acme"):
        policy = Policy.objects.get(title="Remote work policy")
        assert (policy.audience, policy.onboarding, policy.owner_id) == (["External", "Staff"], True, acme.security.pk)
    assert response["Location"] == f"/policies/{policy.pk}/versions/new/"
    duplicate = client.post(
        "/policies/new/", {"title": "Remote work policy", "owner": acme.ciso.pk, "audience_scope": "everyone"}
    )
    assert duplicate.status_code == 200
    response = client.post(
        f"/policies/{policy.pk}/edit/",
        {"title": "Remote work policy", "owner": acme.security.pk, "audience_scope": "everyone", "audience": ["Staff"]},
    )
    assert response.status_code == 302
    with schema_context("acme"):
        policy.refresh_from_db()
        assert (policy.audience, policy.onboarding) == ([], False)
        event = AuditEvent.objects.filter(action="policy.updated", object_id=str(policy.pk)).get()
        assert event.changes["audience"] == [["External", "Staff"], "everyone"]


def test_list_search_filter_and_empty_state(acme, make_policy):
    make_policy(title="IT security policy", states=("published", "draft"))
    make_policy(title="Acceptable use policy", states=("published",))
    make_policy(title="Cryptography policy", states=("draft",))
    ciso = acme.logged_in_client(acme.ciso)
    page = _body(ciso.get("/policies/?q=accept"))
    assert "Acceptable use policy" in page and "IT security policy" not in page
    page = _body(ciso.get("/policies/?state=pending"))
    assert "IT security policy" in page and "Cryptography policy" in page and "Acceptable use" not in page
    page = _body(ciso.get("/policies/?state=unpublished"))
    assert "Cryptography policy" in page and "IT security policy" not in page
    assert "No policy matches these filters." in _body(ciso.get("/policies/?q=nothing-like-this"))
    staff_page = _body(acme.logged_in_client(acme.staff).get("/policies/"))
    assert "Cryptography policy" not in staff_page  # never published: not for readers
    assert "In the works" not in staff_page


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _policies(acme, count: int, start: int = 0) -> None:
    with schema_context("acme"):
        for n in range(start, start + count):
            policy = Policy.objects.create(title=f"Policy {n:03}", owner=acme.ciso)
            PolicyVersion.objects.create(
                policy=policy,
                number=1,
                body="Text",
                created_by=acme.security,
                status="retired",
                approved_by=acme.ciso,
                approved_at=policy.created_at,
                published_at=policy.created_at,
            )
            published = PolicyVersion.objects.create(
                policy=policy,
                number=2,
                body="Text",
                created_by=acme.security,
                status="published",
                approved_by=acme.ciso,
                approved_at=policy.created_at,
                published_at=policy.created_at,
            )
            PolicyVersion.objects.create(policy=policy, number=3, body="Text", created_by=acme.security)
            Acknowledgement.objects.create(user=acme.staff, version=published)


@pytest.mark.parametrize("role", ["ciso", "staff"])
def test_policy_list_costs_the_same_for_10_and_100_policies(acme, role):
    client = acme.logged_in_client(getattr(acme, role))
    _policies(acme, 10)
    few = _count_queries(client, "/policies/")
    _policies(acme, 90, start=10)
    assert _count_queries(client, "/policies/") == few
    assert _count_queries(client, "/policies/?page=2") == few


def test_acknowledgement_list_costs_the_same_for_10_and_100_people(acme, make_policy):
    policy = make_policy(states=("published", "published"))
    client = acme.logged_in_client(acme.ciso)

    def people(start: int, count: int) -> None:
        with schema_context("acme"):
            for n in range(start, start + count):
                person = account_services.user_create(email=f"p{n}@acme.example", roles=["Staff"])
                if n % 2:
                    Acknowledgement.objects.create(user=person, version=version(policy, 1 + n % 4 // 2))

    people(0, 10)
    url = f"/policies/{policy.pk}/acknowledgements/"
    few = _count_queries(client, url)
    people(10, 100)
    assert _count_queries(client, url) == few


def test_policy_page_costs_the_same_for_2_and_20_versions(acme, make_policy):
    policy = make_policy(states=("published", "published"))
    client = acme.logged_in_client(acme.ciso)
    url = f"/policies/{policy.pk}/"
    few = _count_queries(client, url)
    with schema_context("acme"):
        for _ in range(18):
            draft = services.policy_version_create(policy=policy, by=acme.security, body="More")
            services.policy_version_approve(version=draft, by=acme.ciso)
            services.policy_version_publish(version=draft, by=acme.ciso)
    assert _count_queries(client, url) == few


def test_a_second_draft_is_not_started_while_one_is_in_the_works(acme, make_policy):
    policy = make_policy(states=("published", "draft"))
    response = acme.logged_in_client(acme.security).get(f"/policies/{policy.pk}/versions/new/")
    assert response.status_code == 302
    assert response["Location"] == f"/policies/{policy.pk}/versions/2/"
    page = _body(acme.logged_in_client(acme.security).get(f"/policies/{policy.pk}/"))
    assert "Write a new version" not in page
    assert "Version 2 is in the works (Draft)." in page


def test_policy_list_exports_what_the_reader_sees(acme, make_policy):
    make_policy(title="IT security policy", states=("published", "draft"))
    make_policy(title="=Formula policy", states=("published",), audience=["Staff"])
    make_policy(title="Cryptography policy", states=("draft",))
    ciso = acme.logged_in_client(acme.ciso).get("/policies/?format=csv")
    rows = {row["title"]: row for row in csv.DictReader(io.StringIO(ciso.content.decode()))}
    assert set(rows) == {"IT security policy", "'=Formula policy", "Cryptography policy"}
    assert rows["IT security policy"]["version_in_force"] == "1"
    assert rows["IT security policy"]["approved_by"] == "ciso@acme.example"
    assert (rows["IT security policy"]["version_in_the_works"], rows["IT security policy"]["its_status"]) == (
        "2",
        "draft",
    )
    assert rows["'=Formula policy"]["audience"] == "Staff"
    staff = acme.logged_in_client(acme.staff).get("/policies/?format=csv&q=security")
    rows = {row["title"]: row for row in csv.DictReader(io.StringIO(staff.content.decode()))}
    assert list(rows) == ["IT security policy"]
    assert rows["IT security policy"]["version_in_the_works"] == ""  # drafts are not for staff
    workbook = load_workbook(io.BytesIO(acme.logged_in_client(acme.operations).get("/policies/?format=xlsx").content))
    assert [row[0] for row in list(workbook.active.values)[1:]] == ["IT security policy"]


def test_an_approved_version_can_be_withdrawn_so_a_new_draft_can_be_written(acme, make_policy):
    policy = make_policy(states=("published", "approved"))
    ciso = acme.logged_in_client(acme.ciso)
    assert "Withdraw" in ciso.get(f"/policies/{policy.pk}/versions/2/").content.decode()
    assert acme.logged_in_client(acme.security).get(f"/policies/{policy.pk}/versions/2/withdraw/").status_code == 404
    assert "never come into force" in ciso.get(f"/policies/{policy.pk}/versions/2/withdraw/").content.decode()
    assert ciso.post(f"/policies/{policy.pk}/versions/2/withdraw/").status_code == 302
    with schema_context("acme"):
        assert dict(policy.versions.values_list("number", "status")) == {1: "published", 2: "retired"}
        event = AuditEvent.objects.filter(action="policy.version_retired").latest("pk")
        assert event.changes == {"status": ["approved", "retired"]}
    # Version 1 stays in force, and a new draft can now be started.
    response = ciso.post(f"/policies/{policy.pk}/versions/new/", {"body": "# v3", "change_summary": "Redo"})
    assert response.status_code == 302
    with schema_context("acme"):
        assert policy.versions.get(number=3).status == "draft"


def test_an_approver_who_edited_the_draft_is_not_offered_approve(acme):
    with schema_context("acme"):
        policy = services.policy_create(by=acme.ciso, title="Supplier policy", owner=acme.ciso)
        draft = services.policy_version_create(policy=policy, by=acme.security, body="Assess suppliers.")
        services.policy_version_update(
            version=draft, by=acme.ciso, body="Assess suppliers yearly.", change_summary="Yearly"
        )
    approve_url = f"/policies/{policy.pk}/versions/1/approve/"
    ciso = acme.logged_in_client(acme.ciso)
    page = _body(ciso.get(f"/policies/{policy.pk}/versions/1/"))
    assert approve_url not in page
    assert "You wrote or edited this draft: someone else must approve it." in page
    refused = ciso.post(approve_url)
    assert refused.status_code == 400
    assert "You wrote or edited this draft: someone else must approve it." in _body(refused)
    assert version(policy, 1).status == "draft"
    assert approve_url in _body(acme.logged_in_client(acme.management).get(f"/policies/{policy.pk}/versions/1/"))
