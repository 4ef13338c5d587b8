from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from common.spreadsheets import csv_response, xlsx_response

from .models import Kind
from .selectors import audit_entries_filtered
from .services import record

PAGE_SIZE = 100
EXPORT_HEADER = [
    "at",
    "person",
    "kind",
    "project_id",
    "project",
    "object_type",
    "object_id",
    "object",
    "ip_address",
    "user_agent",
    "details",
]


def _require_staff(request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied


def _export_rows(entries):
    for entry in entries.iterator(chunk_size=2000):
        yield [
            entry.at,
            entry.actor_name,
            entry.kind,
            entry.project_id,
            entry.project_label,
            entry.object_type,
            entry.object_id,
            entry.object_label,
            entry.ip_address,
            entry.user_agent,
            " ".join(f"{key}={value}" for key, value in entry.details.items()),
        ]


@login_required
def audit_log(request, fmt=None):
    """The audit trail for programme staff: filtered, paginated, and exported (an export is itself recorded)."""
    _require_staff(request)
    if fmt not in (None, "csv", "xlsx"):
        raise Http404("No such export.")
    filtered = audit_entries_filtered(params=request.GET)
    valid = not filtered.is_bound or filtered.is_valid()
    # A filter that cannot be read (an unknown kind, a wrong date) shows nothing rather than everything.
    entries = filtered.qs if valid else filtered.queryset.none()
    if fmt is not None:
        filters = (
            {name: str(value) for name, value in filtered.form.cleaned_data.items() if value}
            if filtered.is_valid()
            else {}
        )
        record(kind=Kind.EXPORT_DOWNLOADED, request=request, details={"export": "audit", "format": fmt, **filters})
        filename = f"mpf-audit-{timezone.localdate().isoformat()}.{fmt}"
        if fmt == "csv":
            return csv_response(filename, EXPORT_HEADER, _export_rows(entries))
        return xlsx_response(filename, _("Audit trail"), EXPORT_HEADER, _export_rows(entries))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filtered, "page": page, "query": query.urlencode()}
    return render(request, "audit/audit_log.html", context)
