"""The read API under /api/ (namespace "api"): the router's resources, the OpenAPI schema and its docs page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import api

app_name = "api"


class Router(DefaultRouter):
    include_format_suffixes = False  # one URL per resource: JSON is the only format


router = Router()
router.register("projects", api.ProjectViewSet, basename="project")
router.register("activities", api.ActivityViewSet, basename="activity")
router.register("budget-lines", api.BudgetLineViewSet, basename="budgetline")
router.register("expenditures", api.ExpenditureViewSet, basename="expenditure")
router.register("editions", api.EditionViewSet, basename="edition")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api.api_docs, name="docs"),
    *router.urls,
]
