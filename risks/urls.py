from django.urls import path

from .views import analyses, imports, register

urlpatterns = [
    path("risks/", register.risk_list, name="risks"),
    path("risks/new/", register.risk_create, name="risk_create"),
    path("risks/<int:pk>/", register.risk_detail, name="risk"),
    path("risks/<int:pk>/edit/", register.risk_edit, name="risk_edit"),
    path("risks/<int:pk>/accept/", register.risk_accept, name="risk_accept"),
    path("risks/<int:pk>/actions/", register.action_add, name="risk_action_add"),
    path("risks/actions/<int:pk>/status/", register.action_status, name="risk_action_status"),
    path("risks/matrix/", register.matrix_edit, name="risk_matrix"),
    path("risks/analyses/", analyses.analysis_list, name="risk_analyses"),
    path("risks/analyses/new/", analyses.analysis_create, name="risk_analysis_create"),
    path("risks/analyses/<int:pk>/", analyses.analysis_detail, name="risk_analysis"),
    path("risks/analyses/<int:pk>/start/", analyses.analysis_start, name="risk_analysis_start"),
    path("risks/analyses/<int:pk>/reviews/<int:review_pk>/", analyses.review_save, name="risk_review"),
    path("risks/analyses/<int:pk>/sign/", analyses.analysis_sign, name="risk_analysis_sign"),
    path("risks/analyses/<int:pk>/report/", analyses.analysis_report, name="risk_analysis_report"),
    path("risks/analyses/<int:pk>/export.xlsx", analyses.analysis_export, name="risk_analysis_export"),
    path("risks/import/", imports.import_upload, name="risk_import"),
    path("risks/import/<uuid:pk>/", imports.import_detail, name="risk_import_detail"),
    path("risks/import/<uuid:pk>/confirm/", imports.import_confirm, name="risk_import_confirm"),
]
