from django.urls import path

from . import search_views, views

# Mounted at the site's root (mpf_portal/urls.py), before the project pages' includes.
app_name = "dashboards"
urlpatterns = [
    path("dashboard/", views.portfolio, name="portfolio"),
    path("dashboard/export/<slug:kind>.<slug:fmt>", views.export, name="export"),
    path("dashboard/exports/<int:job_id>/", views.export_job, name="export_job"),
    path("dashboard/exports/<int:job_id>/download/", views.export_download, name="export_download"),
    path("projects/<slug:slug>/dashboard/", views.project_dashboard, name="project"),
    path("search/", search_views.search, name="search"),
]
