from django.urls import path

from . import views

urlpatterns = [
    path("training/", views.training_home, name="training"),
    path("training/modules/", views.module_list, name="training_modules"),
    path("training/modules/new/", views.module_create, name="training_module_create"),
    path("training/modules/<int:pk>/", views.module_detail, name="training_module"),
    path("training/modules/<int:pk>/edit/", views.module_edit, name="training_module_edit"),
    path("training/modules/<int:pk>/quiz/", views.module_quiz, name="training_module_quiz"),
    path("training/modules/<int:pk>/complete/", views.module_complete, name="training_module_complete"),
    path("training/modules/<int:pk>/assign/", views.module_assign, name="training_module_assign"),
    path("training/assignments/<int:pk>/", views.assignment_detail, name="training_assignment"),
    path("training/compliance/", views.compliance, name="training_compliance"),
    path("training/people/<int:pk>/", views.person_record, name="training_person"),
    path("training/settings/", views.settings_edit, name="training_settings"),
]
