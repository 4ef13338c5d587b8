from django.urls import path

from . import views

# Mounted at the site's root (mpf_portal/urls.py), before the project pages' includes.
app_name = "dashboards"
urlpatterns = [
    path("dashboard/", views.portfolio, name="portfolio"),
    path("dashboard/export/<slug:kind>.<slug:fmt>", views.export, name="export"),
    path("projects/<slug:slug>/dashboard/", views.project_dashboard, name="project"),
]
