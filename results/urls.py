from django.urls import path

from . import views

app_name = "results"
urlpatterns = [
    path("", views.framework, name="framework"),
    path("new/", views.result_create, name="result_create"),
    path("<int:result_id>/edit/", views.result_edit, name="result_edit"),
    path("<int:result_id>/timeline/", views.result_timeline, name="timeline"),
    path("<int:result_id>/indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<int:indicator_id>/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<int:indicator_id>/targets/", views.target_set, name="target_set"),
    path("periods/", views.periods, name="periods"),
    path("periods/<int:period_id>/", views.period_report, name="period"),
    path("approvals/", views.approvals, name="approvals"),
    path("results.<slug:fmt>", views.export, name="export"),
    path("updates/<int:update_id>/review/", views.review, name="review"),
]
