from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import DataChangedAdminMixin

from .models import Activity, Participation


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Activity)
class ActivityAdmin(DataChangedAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "project", "kind", "status", "planned_start", "planned_end", "order"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "project__code", "project__title"]
    autocomplete_fields = ["project"]
    inlines = [ParticipationInline]
