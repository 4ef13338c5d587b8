from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import DataChangedAdminMixin

from .models import FundingInstrument, Membership, Organisation, Project, ProjectPartner


class ProjectPartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0
    autocomplete_fields = ["organisation"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(DataChangedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "code",
        "title",
        "status",
        "planned_start",
        "planned_end",
        "total_budget",
        "currency",
        "is_published",
    ]
    list_filter = ["status", "is_published", "instrument"]
    search_fields = ["code", "title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ProjectPartnerInline, MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(DataChangedAdminMixin, admin.ModelAdmin):
    """Organisations are named in the dashboards and the public IATI file (in Russian too): a change moves
    the data generation on, so neither keeps the old name."""

    list_display = ["name", "name_ru", "acronym", "kind", "country"]
    list_filter = ["kind"]
    search_fields = ["name", "name_ru", "acronym"]


@admin.register(FundingInstrument)
class FundingInstrumentAdmin(DataChangedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "show_visibility_block"]
    search_fields = ["code", "name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["project", "user", "role"]
    list_filter = ["role"]
    autocomplete_fields = ["project", "user"]
