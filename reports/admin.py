from django.contrib import admin

from .models import NarrativeSection, NarrativeVersion, Report, ReportReminder, ReportRenderJob, ReportSchedule


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    list_display = ["project", "interim_months", "final_report", "days_to_submit"]
    raw_id_fields = ["project"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "kind", "period_start", "period_end", "due_date", "state"]
    list_filter = ["kind", "state"]
    search_fields = ["title", "title_ru", "project__code"]
    raw_id_fields = ["project", "schedule", "submitted_by", "approved_by", "returned_by"]
    filter_horizontal = ["responsible"]
    # Frozen content is written by the services only.
    readonly_fields = ["snapshot", "frozen_versions"]


@admin.register(NarrativeSection)
class NarrativeSectionAdmin(admin.ModelAdmin):
    list_display = ["report", "language", "head"]
    raw_id_fields = ["report", "head"]


@admin.register(NarrativeVersion)
class NarrativeVersionAdmin(admin.ModelAdmin):
    list_display = ["section", "number", "author", "created_at"]
    raw_id_fields = ["section", "author", "based_on"]

    def has_change_permission(self, request, obj=None):
        return False  # versions are immutable


# What reminders were sent and which files were printed: records kept by the services, read-only here.
class _RecordAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportReminder)
class ReportReminderAdmin(_RecordAdmin):
    list_display = ["day", "report", "user", "kind", "days", "due_date"]
    list_filter = ["kind", "day"]
    list_select_related = ["report", "user"]
    search_fields = ["report__title", "user__username", "user__email"]


@admin.register(ReportRenderJob)
class ReportRenderJobAdmin(_RecordAdmin):
    list_display = ["requested_at", "report", "kind", "language", "status", "page_count", "file_size"]
    list_filter = ["status", "kind", "language"]
    list_select_related = ["report"]
    exclude = ["file"]  # downloaded through the report's page, which checks access
