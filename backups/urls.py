from django.urls import path

from . import views

urlpatterns = [
    path("operations/", views.operations, name="operations"),
    path("operations/drill/", views.drill_run, name="restore_drill_run"),
]
