from django.urls import path

from . import portfolio_views

app_name = "portfolio_reports"

urlpatterns = [
    path("", portfolio_views.overview, name="overview"),
]
