"""The 93 Annex A controls: the data itself, and its arrival in every newly provisioned tenant."""

from django_tenants.utils import schema_context

from controls import annex_a
from controls.models import Control
from tenants import services as tenant_services


def test_annex_a_has_the_93_controls_of_the_2022_edition_by_theme():
    references = [reference for reference, *_rest in annex_a.CONTROLS]
    assert len(references) == len(set(references)) == 93
    themes = [theme for _reference, _title, theme, _key in annex_a.CONTROLS]
    assert {theme: themes.count(theme) for theme in set(themes)} == {
        "organisational": 37,
        "people": 8,
        "physical": 14,
        "technological": 34,
    }
    assert set(themes) == set(Control.Theme.values)
    expected = [f"5.{n}" for n in range(1, 38)] + [f"6.{n}" for n in range(1, 9)]
    expected += [f"7.{n}" for n in range(1, 15)] + [f"8.{n}" for n in range(1, 35)]
    assert references == expected


def test_titles_are_the_official_short_titles():
    titles = {reference: title for reference, title, _theme, _key in annex_a.CONTROLS}
    assert titles["5.1"] == "Policies for information security"
    assert titles["5.7"] == "Threat intelligence"
    assert titles["5.23"] == "Information security for use of cloud services"
    assert titles["5.30"] == "ICT readiness for business continuity"
    assert titles["6.1"] == "Screening"
    assert titles["7.4"] == "Physical security monitoring"
    assert titles["8.9"] == "Configuration management"
    assert titles["8.28"] == "Secure coding"
    assert titles["8.34"] == "Protection of information systems during audit testing"


def test_a_newly_provisioned_tenant_has_all_93_controls_in_reading_order(db, worlds):
    tenant_services.tenant_provision(slug="initech", name="Initech AB", admin_email="admin@initech.example")
    with schema_context("initech"):
        controls = list(Control.objects.all())
        assert [control.reference for control in controls] == [reference for reference, *_ in annex_a.CONTROLS]
        references = [control.reference for control in controls]
        assert references.index("5.9") + 1 == references.index("5.10")
        first = controls[0]
        assert (first.title, first.theme, first.applicable, first.status, first.owner) == (
            "Policies for information security",
            "organisational",
            True,
            Control.Status.NOT_STARTED,
            None,
        )
