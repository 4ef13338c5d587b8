"""The read API: projects, activities, budget lines, expenditures and concept editions.

Visibility is the pages' (the selectors are shared):

- projects and activities: those of projects the user may see (anonymous: published ones);
- budget lines and expenditures: those of projects where the user has FINANCE rights
  (staff; the Donors group on published projects; the project's donors and managers), an
  empty list for anyone else;
- editions: final editions of published concepts on visible projects, and every edition of
  concepts whose drafts the user may read.

An object outside these is answered 404, as the pages do. Lists take the dashboard's filters
(status, country, instrument, year, thematic_area; `project` for the child resources, all of
them applied to the project); a malformed one is answered 400 with a JSON body naming it, and so
is an empty or out-of-range `page` or `page_size` (`page=` is refused, not read as absent; see
pagination.py). The schema says so: limits on every parameter, nullable fields, and the 400, 401
(a bad token) and 404 answers; a schemathesis run with every check keeps it honest (test_api.py).
"""

from django import forms
from django.db.models import Prefetch
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from activities.models import Activity
from budgets.models import BudgetLine, Expenditure
from common import generations
from concepts.models import EditionEntry
from projects.models import Project
from projects.selectors import visible_count

from . import selectors, serializers
from .forms import DashboardFilterForm

SLUG = r"[-a-zA-Z0-9_]+"
ID = r"[0-9]+"


class ApiFilterForm(DashboardFilterForm):
    project = forms.SlugField(label=_("Project"), required=False, max_length=120)


COUNTRY_CODES = sorted(str(code) for code, _name in countries)  # ISO 3166-1 alpha-2, and XK (Kosovo)


def _parameters(*, child: bool) -> list[OpenApiParameter]:
    """The filters, with the limits the form checks (anything outside them is answered 400)."""
    prefix = "Of the project: " if child else ""
    parameters = [
        OpenApiParameter(
            "status",
            {"type": "integer", "enum": [value for value, _label in Project.Status.choices]},
            description=f"{prefix}IATI activity status code.",
        ),
        OpenApiParameter(
            "country",
            {"type": "string", "enum": COUNTRY_CODES},
            description=f"{prefix}beneficiary country, ISO 3166-1 alpha-2 (XK: Kosovo).",
        ),
        OpenApiParameter(
            "instrument",
            {"type": "string", "minLength": 1, "maxLength": 32},
            description=f"{prefix}funding instrument code, e.g. AMIF; unknown: 400.",
        ),
        OpenApiParameter(
            "year",
            {"type": "integer", "minimum": 1990, "maximum": 2100},
            description=f"{prefix}planned to run in this year (1990-2100).",
        ),
        OpenApiParameter(
            "thematic_area",
            {"type": "string", "maxLength": 200, "pattern": r"^[^\x00]*$"},
            description=f"{prefix}thematic area, exactly.",
        ),
    ]
    if child:
        parameters.append(
            OpenApiParameter(
                "project",
                {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$", "maxLength": 120},
                description="The project's slug.",
            )
        )
    return parameters


PROBLEMS = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "description": "Each malformed parameter, with what is wrong with it.",
}
DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
BAD_REQUEST = OpenApiResponse(
    PROBLEMS,
    description='A filter, `page` or `page_size` is malformed or empty: the body names it, e.g. {"year": ["…"]}.',
)
UNAUTHORIZED = OpenApiResponse(
    DETAIL, description="The Authorization header's token is unknown or malformed (WWW-Authenticate: Token)."
)
LIST_NOT_FOUND = OpenApiResponse(DETAIL, description="`page` is past the last page.")
NOT_FOUND = OpenApiResponse(DETAIL, description="No such object, or not one the user may see.")


def _list_schema(serializer, *, child: bool):
    return extend_schema(
        parameters=_parameters(child=child),
        responses={200: serializer(many=True), 400: BAD_REQUEST, 401: UNAUTHORIZED, 404: LIST_NOT_FOUND},
    )


def _schemas(serializer, *, child: bool) -> dict:
    detail = extend_schema(responses={200: serializer, 401: UNAUTHORIZED, 404: NOT_FOUND})
    return {"list": _list_schema(serializer, child=child), "retrieve": detail}


class FilteredViewSet(viewsets.ReadOnlyModelViewSet):
    """Lists filtered like the dashboard; a detail ignores the filters."""

    child = True

    def filters(self) -> dict:
        if "_filters" not in self.__dict__:  # validated once per request
            self._filters = self._valid_filters()
        return self._filters

    def _valid_filters(self) -> dict:
        if self.action != "list":
            return {}
        if not any(name in self.request.query_params for name in ApiFilterForm.base_fields):
            return {}  # no filter asked for: nothing to validate (building the form copies every country)
        form = ApiFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}

    def projects(self, scope) -> object:
        """The primary keys of the projects in `scope` that pass the filters (a subquery)."""
        filters = self.filters()
        projects = selectors.filter_projects(scope, filters)
        if filters.get("project"):
            projects = projects.filter(slug=filters["project"])
        return projects.order_by().values("pk")


@extend_schema_view(**_schemas(serializers.ProjectSerializer, child=False))
class ProjectViewSet(FilteredViewSet):
    """Projects the user may see: published ones, their own, or all for staff."""

    serializer_class = serializers.ProjectSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG

    counted = None  # the number of projects listed, told to the paginator (`list`)

    def get_queryset(self):
        scope = selectors.visible_projects_for_user(user=self.request.user)
        return self.narrow(scope).select_related("instrument").order_by("code")

    def narrow(self, projects):
        """The projects that pass the filters (the scope itself, not a subquery of its ids: for staff, the
        first page is then read off the code's index)."""
        filters = self.filters()
        projects = selectors.filter_projects(projects, filters)
        return projects.filter(slug=filters["project"]) if filters.get("project") else projects

    def list(self, request, *args, **kwargs):
        """As ListModelMixin.list, with plain rows instead of a serializer per project (serializers.project_rows),
        and the number of projects counted once per change of the data for staff and the published ones."""
        rows = self.filter_queryset(self.get_queryset()).values(*serializers.PROJECT_VALUES)
        shown = {name: getattr(value, "pk", value) for name, value in self.filters().items()}
        self.counted = visible_count(
            user=request.user, narrow=self.narrow, name="api", parts=shown, generation=generations.current()
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(serializers.project_rows(page, request=request))


@extend_schema_view(**_schemas(serializers.ActivitySerializer, child=True))
class ActivityViewSet(FilteredViewSet):
    """Activities of the projects the user may see."""

    serializer_class = serializers.ActivitySerializer
    lookup_value_regex = ID

    def get_queryset(self):
        scope = selectors.visible_projects_for_user(user=self.request.user)
        return (
            Activity.objects.filter(project__in=self.projects(scope))
            .select_related("project")
            .order_by("project__code", "order", "planned_start", "pk")
        )


@extend_schema_view(**_schemas(serializers.BudgetLineSerializer, child=True))
class BudgetLineViewSet(FilteredViewSet):
    """Budget lines, with revised and spent amounts, of projects where the user has finance rights."""

    serializer_class = serializers.BudgetLineSerializer
    lookup_value_regex = ID

    def get_queryset(self):
        scope = selectors.finance_projects_for_user(user=self.request.user)
        return (
            BudgetLine.objects.filter(project__in=self.projects(scope))
            .with_figures()
            .select_related("project")
            .order_by("project__code", "category", "pk")
        )


@extend_schema_view(**_schemas(serializers.ExpenditureSerializer, child=True))
class ExpenditureViewSet(FilteredViewSet):
    """Expenditures of projects where the user has finance rights."""

    serializer_class = serializers.ExpenditureSerializer
    lookup_value_regex = ID

    def get_queryset(self):
        scope = selectors.finance_projects_for_user(user=self.request.user)
        return (
            Expenditure.objects.filter(line__project__in=self.projects(scope))
            .select_related("line__project")
            .order_by("line__project__code", "date", "pk")
        )


@extend_schema_view(**_schemas(serializers.EditionSerializer, child=True))
class EditionViewSet(FilteredViewSet):
    """Concept editions: final editions of published concepts, and all editions of drafts the user may read."""

    serializer_class = serializers.EditionSerializer
    lookup_value_regex = ID

    def get_queryset(self):
        # Every language frozen in the edition, grouped by language (each entry names its own).
        entries = EditionEntry.objects.select_related("version").order_by("language", "position")
        editions = selectors.editions_for_user(user=self.request.user)
        if self.action == "list":
            editions = editions.filter(concept__project__in=self.projects(Project.objects.all()))
        return (
            editions.select_related("concept__project")
            .prefetch_related(Prefetch("entries", queryset=entries))
            .order_by("concept__project__code", "concept_id", "date", "pk")
        )


_SCHEMA = {}


def _schema() -> dict:
    """The OpenAPI document, generated once per process (the endpoints do not change while it runs)."""
    if "schema" not in _SCHEMA:
        _SCHEMA["schema"] = SchemaGenerator().get_schema(request=None, public=True)
    return _SCHEMA["schema"]


def api_docs(request):
    """A plain page listing the endpoints and their parameters, read from the OpenAPI schema (no script)."""
    schema = _schema()
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "id": operation.get("operationId", ""),
                    "description": operation.get("description", ""),
                    "parameters": operation.get("parameters", []),
                    "responses": sorted(operation.get("responses", {}).items()),
                }
            )
    context = {"info": schema.get("info", {}), "operations": operations}
    return render(request, "dashboards/api_docs.html", context)


def instrument_codes_hook(result, generator, request, public):
    """drf-spectacular postprocessing hook: the `instrument` filter takes the codes the portal has now
    (read at each schema request), so that the schema names the values the API accepts."""
    from django.db import DatabaseError

    from projects.models import FundingInstrument

    if request is None:  # generated without a request (the system checks): no database is needed for it
        return result
    try:
        codes = list(FundingInstrument.objects.order_by("code").values_list("code", flat=True))
    except DatabaseError:
        return result
    if not codes:
        return result
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "instrument" and parameter["in"] == "query":
                    parameter["schema"] = {"type": "string", "enum": codes}
    return result
