"""URLs of the bare host: the product's landing page and the platform operators' login and admin."""

from django.urls import include, path

from accounts.urls import auth_urlpatterns
from accounts.views import auth as account_views
from core import views as core_views
from tenants.admin import operator_site

urlpatterns = [
    path("", core_views.landing, name="landing"),
    path("login/", account_views.LoginView.as_view(next_page="operator_admin:index"), name="login"),
    *[pattern for pattern in auth_urlpatterns if pattern.name != "login"],
    path("admin/", operator_site.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
]
