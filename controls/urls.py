from django.urls import path

from . import views

urlpatterns = [
    path("controls/", views.control_list, name="controls"),
    path("controls/export.xlsx", views.control_export, name="controls_export"),
    path("controls/<int:pk>/", views.control_detail, name="control"),
]
