"""Data, people and sessions of one tenant are out of reach from another tenant and the public host."""

from django.contrib.auth.models import Group
from django_tenants.utils import schema_context

from accounts.models import User
from core.models import TaskRun
from tests.conftest import PASSWORD


def test_record_created_in_one_tenant_is_absent_from_the_other(acme, globex):
    with schema_context(acme.tenant.schema_name):
        TaskRun.objects.create(task="acme-only", status=TaskRun.Status.SUCCEEDED)
        User.objects.create_user("newcomer@acme.example", PASSWORD)
        assert TaskRun.objects.filter(task="acme-only").exists()

    with schema_context(globex.tenant.schema_name):
        assert not TaskRun.objects.filter(task="acme-only").exists()
        assert not User.objects.filter(email="newcomer@acme.example").exists()
        assert not User.objects.filter(email__endswith="@acme.example").exists()


def test_each_tenant_has_its_own_role_groups(acme, globex):
    with schema_context(acme.tenant.schema_name):
        Group.objects.create(name="Acme-only role")
    with schema_context(globex.tenant.schema_name):
        assert not Group.objects.filter(name="Acme-only role").exists()
        assert Group.objects.filter(name="CISO").exists()


def test_user_of_one_tenant_cannot_log_in_on_the_other(acme, globex):
    response = globex.client().post("/login/", {"username": acme.ciso.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session
    assert "Please enter a correct e-mail address and password" in response.content.decode()

    response = acme.client().post("/login/", {"username": acme.ciso.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_session_cookie_of_one_tenant_is_not_a_login_on_the_other(acme, globex):
    acme_client = acme.client()
    login = acme_client.post("/login/", {"username": acme.staff.email, "password": PASSWORD})
    assert "Domain=" not in login.cookies["sessionid"].output()  # host-only cookie
    assert acme_client.get("/").status_code == 200
    session_cookie = acme_client.cookies["sessionid"]

    # Even if the cookie value is replayed by hand on globex's host, it is no session there.
    intruder = globex.client()
    intruder.cookies["sessionid"] = session_cookie.value
    response = intruder.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_same_email_in_two_tenants_is_two_separate_accounts(acme, globex):
    with schema_context(acme.tenant.schema_name):
        User.objects.create_user("shared@person.example", "acme-password-123")
    with schema_context(globex.tenant.schema_name):
        User.objects.create_user("shared@person.example", "globex-password-123")

    bad = globex.client().post("/login/", {"username": "shared@person.example", "password": "acme-password-123"})
    assert "_auth_user_id" not in bad.client.session
    good = globex.client().post("/login/", {"username": "shared@person.example", "password": "globex-password-123"})
    assert good.status_code == 302


def test_unknown_host_answers_404(db, worlds):
    response = worlds["acme"].client().get("/", HTTP_HOST="nosuchtenant.localhost")
    assert response.status_code == 404
    assert "Acme" not in response.content.decode()


def test_public_host_shows_the_product_and_no_tenant_data(acme, globex):
    response = acme.client().get("/", HTTP_HOST="localhost")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Operator login" in body
    for world in (acme, globex):
        assert world.tenant.name not in body
        assert world.host not in body


def test_tenant_pages_do_not_exist_on_the_public_host(acme):
    public = acme.client()
    assert public.get("/area/risks/", HTTP_HOST="localhost").status_code == 404
    assert public.get("/accounts/set-password/MQ/x-y/", HTTP_HOST="localhost").status_code == 404


def test_tenant_user_cannot_log_in_on_the_public_host(acme):
    response = acme.client().post(
        "/login/", {"username": acme.admin.email, "password": PASSWORD}, HTTP_HOST="localhost"
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session


def test_operator_admin_is_not_served_on_tenant_hosts(acme):
    client = acme.logged_in_client(acme.admin)
    assert client.get("/admin/").status_code == 404
