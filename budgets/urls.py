from django.urls import path

from . import views

app_name = "budgets"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("lines/new/", views.line_create, name="line_create"),
    path("lines/<int:line_id>/edit/", views.line_edit, name="line_edit"),
    path("lines/<int:line_id>/revise/", views.line_revise, name="line_revise"),
    path("expenditures/new/", views.expenditure_create, name="expenditure_create"),
    path("expenditures/<int:expenditure_id>/edit/", views.expenditure_edit, name="expenditure_edit"),
    path("expenditures/<int:expenditure_id>/delete/", views.expenditure_delete, name="expenditure_delete"),
]
