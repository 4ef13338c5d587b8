from django.urls import path

from . import render_views

app_name = "report_files"

urlpatterns = [
    path("", render_views.file_list, name="list"),
    path("request/", render_views.file_request, name="request"),
    path("<int:job_id>/", render_views.file_download, name="download"),
]
