"""The ledger import: for any number of projects at once, so outside a project's budget URLs."""

from django.urls import path

from . import views

app_name = "budget_imports"
urlpatterns = [
    path("import/", views.ledger_import, name="ledger"),
    path("import/confirm/", views.ledger_import_confirm, name="ledger_confirm"),
    path("import/<int:job_id>/", views.ledger_import_job, name="job"),
    path("import/template.csv", views.ledger_import_template, name="ledger_template"),
]
