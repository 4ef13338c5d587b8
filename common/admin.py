from django.contrib import admin

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: import jobs are written by their services and task, and cleaned up after a day."""

    list_display = ["pk", "kind", "filename", "user", "status", "progress", "created_at", "finished_at", "confirmed_at"]
    list_filter = ["kind", "status"]
    search_fields = ["filename", "user__username"]
    readonly_fields = [field.name for field in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
