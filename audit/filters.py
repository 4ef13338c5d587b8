import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, Kind


class AuditEntryFilter(django_filters.FilterSet):
    """The staff page's filters, for the list and its exports alike."""

    person = django_filters.CharFilter(
        field_name="actor_name", lookup_expr="icontains", label=_("Person (user name contains)")
    )
    project = django_filters.CharFilter(method="filter_project", label=_("Project (slug or id)"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("What"), empty_label=_("Any"))
    since = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEntry
        fields = ["person", "project", "kind", "since", "until"]

    def filter_project(self, queryset, name, value):
        return queryset.for_project(value.strip())
