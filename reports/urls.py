from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("schedule/", views.schedule, name="schedule"),
    path("add/", views.report_create, name="create"),
    path("<int:report_id>/", views.report_detail, name="detail"),
    path("<int:report_id>/edit/", views.report_edit, name="edit"),
    path("<int:report_id>/narrative/<str:language>/", views.narrative_edit, name="narrative"),
    path("<int:report_id>/submit/", views.report_submit, name="submit"),
    path("<int:report_id>/review/", views.report_review, name="review"),
]
