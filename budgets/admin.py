from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import DataChangedAdminMixin

from .models import BudgetLine, BudgetRevision, Expenditure


class BudgetRevisionInline(admin.TabularInline):
    model = BudgetRevision
    extra = 0
    fields = ["date", "amount", "reason", "recorded_by"]
    readonly_fields = ["recorded_by"]


@admin.register(BudgetLine)
class BudgetLineAdmin(DataChangedAdminMixin, SimpleHistoryAdmin):
    list_display = ["project", "category", "description", "amount", "activity"]
    list_filter = ["category"]
    search_fields = ["description", "project__code", "project__title"]
    autocomplete_fields = ["project"]
    raw_id_fields = ["activity"]
    inlines = [BudgetRevisionInline]


@admin.register(Expenditure)
class ExpenditureAdmin(DataChangedAdminMixin, SimpleHistoryAdmin):
    list_display = ["date", "line", "amount", "description", "reference"]
    list_filter = ["line__category"]
    search_fields = ["description", "reference", "line__project__code"]
    raw_id_fields = ["line"]
    date_hierarchy = "date"
