"""Responses to signed-in people are never stored by browsers or shared caches; static files still are."""

import pytest
from django.test import Client


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize(
    "path, content_type",
    [
        ("/", "text/html"),
        ("/risks/", "text/html"),
        ("/risks/?format=csv", "text/csv"),
        ("/risks/?format=xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("/audit/?format=csv", "text/csv"),
    ],
)
def test_signed_in_pages_and_exports_are_not_stored(acme, path, content_type):
    response = acme.logged_in_client(acme.ciso).get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert {"no-store", "private"} <= _directives(response)
    assert "public" not in _directives(response)


@pytest.mark.parametrize("path", ["/people/", "/people/?format=csv"])
def test_the_people_list_and_its_export_are_not_stored(acme, path):
    response = acme.logged_in_client(acme.admin).get(path)
    assert response.status_code == 200
    assert {"no-store", "private"} <= _directives(response)


def test_a_redirect_to_the_second_factor_is_not_stored_either(acme):
    response = acme.logged_in_client(acme.ciso, verified=False).get("/risks/")
    assert response.status_code == 302
    assert {"no-store", "private"} <= _directives(response)


def test_the_logout_answer_is_not_stored(acme):
    response = acme.logged_in_client(acme.staff).post("/logout/")
    assert response.status_code == 302
    assert {"no-store", "private"} <= _directives(response)


def test_static_files_keep_their_caching(acme):
    response = acme.logged_in_client(acme.staff).get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in _directives(response)


def test_anonymous_pages_keep_their_defaults(acme):
    to_login = Client(HTTP_HOST=acme.host).get("/")
    assert to_login.status_code == 302
    assert "no-store" not in _directives(to_login)
