from .filters import AuditEntryFilter
from .models import AuditEntry


def audit_entries_filtered(*, params) -> AuditEntryFilter:
    """The entries matching the staff page's filters (`params`: its query), newest first."""
    return AuditEntryFilter(params or None, queryset=AuditEntry.objects.select_related("actor"))
