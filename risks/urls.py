from django.urls import path

from . import views

urlpatterns = [
    path("risks/", views.risk_list, name="risks"),
    path("risks/new/", views.risk_create, name="risk_create"),
    path("risks/<int:pk>/", views.risk_detail, name="risk"),
    path("risks/<int:pk>/edit/", views.risk_edit, name="risk_edit"),
    path("risks/<int:pk>/accept/", views.risk_accept, name="risk_accept"),
    path("risks/matrix/", views.matrix_edit, name="risk_matrix"),
]
