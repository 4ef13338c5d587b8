from django.contrib import admin

from .generations import data_changed
from .models import ImportJob


class DataChangedAdminMixin:
    """For the admin of models that cached figures sum: every save or deletion moves the data generation on."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        data_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        data_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        data_changed()


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
