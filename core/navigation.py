"""The areas of a tenant's portal, in navigation order."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Area:
    slug: str
    title: str | Promise
    summary: str | Promise
    url_name: str = ""  # the area's own page once it has one; a placeholder until then

    @property
    def url(self) -> str:
        return reverse(self.url_name) if self.url_name else reverse("area", args=[self.slug])


AREAS = (
    Area(
        "risks",
        _("Risks"),
        _("Risk register, semiannual risk analyses, treatment plans, objectives and the Statement of Applicability."),
        "risks",
    ),
    Area(
        "incidents",
        _("Incidents"),
        _("Security, operational and privacy incidents with their timeline, corrective actions and breach clocks."),
        "incidents",
    ),
    Area(
        "reviews",
        _("Reviews"),
        _("ISMS management review meetings (ISO/IEC 27001 §9.3) and the fortnightly security standing item."),
        "reviews",
    ),
    Area(
        "training",
        _("Training"),
        _("Security policies, onboarding training and acknowledgements for employees and consultants."),
        "training",
    ),
    Area(
        "security",
        _("Security"),
        _("Vulnerabilities by CVSS, suppliers, privileged access reviews, penetration tests and DR tests."),
    ),
    Area(
        "admin",
        _("Admin"),
        _("People and roles, sharing, two-factor authentication, audit trail, backups and restore drills."),
    ),
)
AREAS_BY_SLUG = {area.slug: area for area in AREAS}
