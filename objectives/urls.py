from django.urls import path

from . import views

urlpatterns = [
    path("objectives/", views.objective_list, name="objectives"),
    path("objectives/new/", views.objective_create, name="objective_create"),
    path("objectives/<int:pk>/", views.objective_detail, name="objective"),
    path("objectives/<int:pk>/edit/", views.objective_edit, name="objective_edit"),
    path("objectives/<int:pk>/key-results/", views.key_result_add, name="key_result_add"),
    path("objectives/<int:pk>/key-results/<int:result_pk>/", views.key_result_update, name="key_result_update"),
    path("objectives/<int:pk>/key-results/<int:result_pk>/remove/", views.key_result_remove, name="key_result_remove"),
]
