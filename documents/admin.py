from django.contrib import admin

from .models import Document, DocumentVersion


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    fields = ["number", "filename", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # files come in through the upload pages, which check them


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "category", "languages", "document_date", "visibility"]
    list_filter = ["visibility", "category"]
    search_fields = ["title", "project__title", "project__code"]
    list_select_related = ["project"]
    raw_id_fields = ["project", "activity", "expenditure", "uploaded_by"]
    readonly_fields = ["head", "uploaded_by"]
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False  # a document starts with its first file, uploaded through the portal's checks
