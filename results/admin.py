from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Indicator, IndicatorUpdate, ReportingPeriod, Result, Target


@admin.register(Result)
class ResultAdmin(SimpleHistoryAdmin):
    list_display = ["title", "level", "project", "order"]
    list_filter = ["level"]
    search_fields = ["title", "title_ru", "project__code"]
    raw_id_fields = ["project", "parent"]
    filter_horizontal = ["activities"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    raw_id_fields = ["period", "project"]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["title", "code", "unit", "source", "result", "project"]
    list_filter = ["unit", "source", "by_sex"]
    search_fields = ["title", "title_ru", "code", "project__code"]
    raw_id_fields = ["project", "result"]
    inlines = [TargetInline]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "project", "due"]
    search_fields = ["project__code"]
    raw_id_fields = ["project"]


@admin.register(IndicatorUpdate)
class IndicatorUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "period", "value", "status", "submitted_by", "reviewed_by"]
    list_filter = ["status"]
    search_fields = ["indicator__title", "project__code"]
    raw_id_fields = ["project", "indicator", "period", "created_by", "submitted_by", "reviewed_by"]
    readonly_fields = ["submitted_at", "reviewed_at"]
