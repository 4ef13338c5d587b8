import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LANGUAGES, Category, Document


class DocumentFilter(django_filters.FilterSet):
    """The document lists' filters (project and activity pages alike)."""

    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"), empty_label=_("Any"))
    language = django_filters.ChoiceFilter(
        choices=LANGUAGES, method="filter_language", label=_("Language"), empty_label=_("Any")
    )
    since = django_filters.DateFilter(
        field_name="document_date",
        lookup_expr="gte",
        label=_("Dated from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="document_date",
        lookup_expr="lte",
        label=_("Dated until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Document
        fields = ["category", "language", "since", "until"]

    def filter_language(self, queryset, name, value):
        # Codes are two letters joined by commas, so a two-letter substring is always a whole code.
        return queryset.filter(languages__contains=value)
