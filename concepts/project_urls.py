from django.urls import path

from . import import_views, views

app_name = "project_concepts"
urlpatterns = [
    path("concepts/", views.project_concepts, name="list"),
    path("concepts/import/", import_views.project_concept_import, name="import"),
    path("concepts/import/<int:job_id>/", import_views.project_concept_import_job, name="import_job"),
]
