from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("area/admin/", views.admin_hub, name="admin_hub"),
    path("area/<slug:slug>/", views.area, name="area"),
    path("healthz", views.healthz, name="healthz"),
]
