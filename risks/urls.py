from django.urls import path

from .views import imports, register

urlpatterns = [
    path("risks/", register.risk_list, name="risks"),
    path("risks/new/", register.risk_create, name="risk_create"),
    path("risks/<int:pk>/", register.risk_detail, name="risk"),
    path("risks/<int:pk>/edit/", register.risk_edit, name="risk_edit"),
    path("risks/<int:pk>/accept/", register.risk_accept, name="risk_accept"),
    path("risks/matrix/", register.matrix_edit, name="risk_matrix"),
    path("risks/import/", imports.import_upload, name="risk_import"),
    path("risks/import/confirm/", imports.import_confirm, name="risk_import_confirm"),
]
