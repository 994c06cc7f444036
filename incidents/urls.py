from django.urls import path

from .views import attachments, dashboard, log

urlpatterns = [
    path("incidents/", log.incident_list, name="incidents"),
    path("incidents/report/", log.incident_report, name="incident_report"),
    path("incidents/dashboard/", dashboard.incident_dashboard, name="incident_dashboard"),
    path("incidents/<int:pk>/", log.incident_detail, name="incident"),
    path("incidents/<int:pk>/edit/", log.incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/status/", log.incident_status, name="incident_status"),
    path("incidents/<int:pk>/reopen/", log.incident_reopen, name="incident_reopen"),
    path("incidents/<int:pk>/breach/", log.incident_breach, name="incident_breach"),
    path("incidents/<int:pk>/risks/", log.incident_risks, name="incident_risks"),
    path("incidents/<int:pk>/timeline/", log.timeline_add, name="incident_timeline_add"),
    path("incidents/<int:pk>/actions/", log.action_add, name="incident_action_add"),
    path("incidents/actions/<int:pk>/status/", log.action_status, name="incident_action_status"),
    path("incidents/<int:pk>/attachments/", attachments.attachment_upload, name="incident_attachment_upload"),
    path(
        "incidents/<int:pk>/attachments/<int:attachment_pk>/",
        attachments.attachment_download,
        name="incident_attachment",
    ),
]
