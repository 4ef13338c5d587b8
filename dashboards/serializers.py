"""What the read API returns for each resource (dashboards/api.py)."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activities.models import Activity
from budgets.models import MONEY, BudgetLine, Expenditure
from concepts.models import Edition, EditionEntry
from projects.models import Project

SLUG_PLACEHOLDER = "slug-placeholder-0"


@extend_schema_field({"type": "array", "items": {"type": "string", "description": "ISO 3166-1 alpha-2"}})
class CountriesField(serializers.Field):
    """A project's beneficiary countries as a list of ISO 3166-1 alpha-2 codes: the stored codes,
    without building a Country object (and its name lookups) for each."""

    def get_attribute(self, instance):
        return instance.__dict__.get(self.source) or []

    def to_representation(self, value):
        return [str(code) for code in value]


@extend_schema_field(OpenApiTypes.STR)
class LabelField(serializers.Field):
    """The label of a choice in the reader's language (what `get_FOO_display()` gives), looked up in
    a table made once per request rather than through the model's method for every row."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        labels = self.context.setdefault(f"_labels:{id(self.choices)}", {})
        if value not in labels:
            labels[value] = str(dict(self.choices).get(value, value))
        return labels[value]


class ProjectSerializer(serializers.ModelSerializer):
    status_label = LabelField(Project.Status.choices, source="status")
    countries = CountriesField(read_only=True)
    instrument = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="Funding instrument code; null when none is set."
    )
    page = serializers.SerializerMethodField(help_text="The project's page in the portal.")

    class Meta:
        model = Project
        fields = [
            "code", "slug", "title", "status", "status_label", "countries", "instrument", "thematic_area",
            "planned_start", "planned_end", "actual_start", "actual_end", "currency", "total_budget", "is_published",
            "page",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_page(self, project) -> str:
        # The address of the first project's page, made once per request; the others differ by slug only.
        if "_page_url" not in self.context:
            request = self.context.get("request")
            url = reverse("projects:detail", kwargs={"slug": SLUG_PLACEHOLDER})
            self.context["_page_url"] = request.build_absolute_uri(url) if request else url
        return self.context["_page_url"].replace(SLUG_PLACEHOLDER, project.slug)


# The list of projects (/api/projects/) is made from `values()` rows into plain dicts, the same as
# ProjectSerializer gives for each (dashboards/tests/test_api_project_rows.py compares them): a
# ModelSerializer builds its fields anew on every request and walks them for every row, which cost
# more than the rest of the request. ProjectSerializer still answers a single project and is the schema.
PROJECT_VALUES = (
    "code",
    "slug",
    "title",
    "status",
    "countries",
    "instrument__code",
    "thematic_area",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "currency",
    "total_budget",
    "is_published",
)
_MONEY_FIELD = serializers.DecimalField(**MONEY)


def _iso(value):
    return None if value is None else value.isoformat()


def project_rows(rows, *, request=None) -> list[dict]:
    """What ProjectSerializer(many=True) gives for these projects, from rows of `values(*PROJECT_VALUES)`."""
    labels = {value: str(label) for value, label in Project.Status.choices}
    url = reverse("projects:detail", kwargs={"slug": SLUG_PLACEHOLDER})
    page_url = request.build_absolute_uri(url) if request else url
    money = _MONEY_FIELD.to_representation
    return [
        {
            "code": row["code"],
            "slug": row["slug"],
            "title": row["title"],
            "status": row["status"],
            "status_label": labels.get(row["status"], row["status"]),
            "countries": [code for code in (row["countries"] or "").split(",") if code],
            "instrument": row["instrument__code"],
            "thematic_area": row["thematic_area"],
            "planned_start": _iso(row["planned_start"]),
            "planned_end": _iso(row["planned_end"]),
            "actual_start": _iso(row["actual_start"]),
            "actual_end": _iso(row["actual_end"]),
            "currency": row["currency"],
            "total_budget": None if row["total_budget"] is None else money(row["total_budget"]),
            "is_published": row["is_published"],
            "page": page_url.replace(SLUG_PLACEHOLDER, row["slug"]),
        }
        for row in rows
    ]


class ActivitySerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    kind_label = LabelField(Activity.Kind.choices, source="kind")
    status_label = LabelField(Activity.Status.choices, source="status")
    country = serializers.SerializerMethodField()
    is_milestone = serializers.BooleanField(read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id", "project", "kind", "kind_label", "title", "status", "status_label", "planned_start", "planned_end",
            "actual_start", "actual_end", "is_remote", "city", "country", "is_milestone",
        ]  # fmt: skip
        read_only_fields = fields

    def get_country(self, activity) -> str:
        return str(activity.country.code or "")


class BudgetLineSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category_label = LabelField(BudgetLine.Category.choices, source="category")
    original = serializers.DecimalField(source="amount", read_only=True, **MONEY)
    revised = serializers.DecimalField(read_only=True, help_text="Newest revision, else the original amount.", **MONEY)
    spent = serializers.DecimalField(read_only=True, **MONEY)
    currency = serializers.CharField(source="project.currency", read_only=True)

    class Meta:
        model = BudgetLine
        fields = [
            "id", "project", "category", "category_label", "description", "activity", "original", "revised", "spent",
            "currency",
        ]  # fmt: skip
        read_only_fields = fields


class ExpenditureSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="line.project.slug", read_only=True)
    category = serializers.CharField(source="line.category", read_only=True)
    currency = serializers.CharField(source="line.project.currency", read_only=True)

    class Meta:
        model = Expenditure
        fields = ["id", "project", "line", "category", "date", "amount", "currency", "description", "reference"]
        read_only_fields = fields


class EditionEntrySerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="version.title", read_only=True)
    body = serializers.CharField(source="version.body", read_only=True, help_text="Markdown.")

    class Meta:
        model = EditionEntry
        fields = ["number", "level", "language", "title", "body"]
        read_only_fields = fields


class EditionSerializer(serializers.ModelSerializer):
    concept_title = serializers.CharField(source="concept.title", read_only=True)
    concept_status = serializers.CharField(source="concept.status", read_only=True)
    project = serializers.CharField(source="concept.project.slug", read_only=True)
    entries = EditionEntrySerializer(many=True, read_only=True)

    class Meta:
        model = Edition
        fields = ["id", "concept", "concept_title", "concept_status", "project", "name", "date", "is_final", "entries"]
        read_only_fields = fields
