from django.urls import path

from . import views

urlpatterns = [
    path("sharing/<str:model_label>/<int:pk>/share/", views.share, name="share"),
    path("sharing/<str:model_label>/<int:pk>/ask/", views.ask, name="access_request"),
    path("sharing/grants/<int:pk>/revoke/", views.revoke, name="share_revoke"),
    path("sharing/requests/<int:pk>/decide/", views.decide, name="access_request_decide"),
]
