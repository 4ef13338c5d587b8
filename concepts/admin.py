from django.contrib import admin

from .models import Comment, Concept, Edition, Section, SectionVersion


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "language", "status"]
    list_filter = ["status", "language"]
    search_fields = ["title", "project__code"]
    autocomplete_fields = ["project"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "concept", "parent", "position", "is_removed"]
    list_filter = ["is_removed"]
    raw_id_fields = ["concept", "parent"]
    readonly_fields = ["head"]


@admin.register(SectionVersion)
class SectionVersionAdmin(admin.ModelAdmin):
    """Versions are immutable: the admin shows them and never changes them."""

    list_display = ["title", "section", "number", "author", "created_at"]
    search_fields = ["title", "summary"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "section", "author", "is_recommendation", "disposition", "created_at"]
    list_filter = ["disposition", "is_recommendation"]
    raw_id_fields = ["section", "version", "parent", "incorporated_in", "source_activity"]
    autocomplete_fields = ["source_organisation"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    """Editions never change once frozen: read-only here."""

    list_display = ["name", "concept", "date", "is_final"]

    def has_add_permission(self, request):
        return False  # an edition is frozen from the concept's page, with every section's version

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
