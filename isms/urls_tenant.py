"""URLs of a tenant's host (<slug>.<BASE_DOMAIN>). No admin here: tenants never see the platform's."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("audit.urls")),
    path("", include("risks.urls")),
    path("", include("objectives.urls")),
    path("", include("controls.urls")),
    path("", include("sharing.urls")),
    path("", include("backups.urls")),
    path("", include("notifications.urls")),
    path("", include("incidents.urls")),
    path("", include("reviews.urls")),
    path("", include("policies.urls")),
    path("", include("training.urls")),
    path("", include("core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
