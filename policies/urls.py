from django.urls import path

from . import views

urlpatterns = [
    path("policies/", views.policy_list, name="policies"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/<int:pk>/", views.policy_detail, name="policy"),
    path("policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/acknowledgements/", views.policy_acknowledgements, name="policy_acknowledgements"),
    path("policies/<int:pk>/versions/new/", views.policy_version_create, name="policy_version_create"),
    path("policies/<int:pk>/versions/<int:number>/", views.policy_version_detail, name="policy_version"),
    path("policies/<int:pk>/versions/<int:number>/edit/", views.policy_version_edit, name="policy_version_edit"),
    path(
        "policies/<int:pk>/versions/<int:number>/acknowledge/",
        views.policy_acknowledge,
        name="policy_acknowledge",
    ),
    path(
        "policies/<int:pk>/versions/<int:number>/<str:step>/",
        views.policy_version_step,
        name="policy_version_step",
    ),
]
