from .generations import data_changed


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
