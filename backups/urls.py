from django.urls import path

from . import views

urlpatterns = [
    path("operations/", views.backup_overview, name="operations"),
    path("operations/drill/", views.drill_run, name="restore_drill_run"),
]
