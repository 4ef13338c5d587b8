from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("import/", views.portfolio_import, name="import"),
    path("import/confirm/", views.portfolio_import_confirm, name="import_confirm"),
    path("import/<int:job_id>/", views.portfolio_import_job, name="import_job"),
    path("import/template.csv", views.portfolio_import_template, name="import_template"),
    path("<slug:slug>/", views.project_detail, name="detail"),
    path("<slug:slug>/edit/", views.project_edit, name="edit"),
    path("<slug:slug>/partners/", views.partner_list, name="partners"),
    path("<slug:slug>/partners/<int:partner_id>/remove/", views.partner_remove, name="partner_remove"),
    path("<slug:slug>/members/", views.member_list, name="members"),
    path("<slug:slug>/members/<int:membership_id>/", views.member_change, name="member_change"),
    path("<slug:slug>/history/", views.project_history_view, name="history"),
]
