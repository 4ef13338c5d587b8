from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("activities/", views.activity_list, name="list"),
    path("activities/new/", views.activity_create, name="create"),
    path("activities/<int:activity_id>/", views.activity_detail, name="detail"),
    path("activities/<int:activity_id>/edit/", views.activity_edit, name="edit"),
    path("activities/<int:activity_id>/cancel/", views.activity_cancel, name="cancel"),
    path("activities/<int:activity_id>/move/", views.activity_move, name="move"),
    path("activities/<int:activity_id>/participants/", views.participation_add, name="participation_add"),
    path(
        "activities/<int:activity_id>/participants/<int:participation_id>/remove/",
        views.participation_remove,
        name="participation_remove",
    ),
    path("timeline/", views.timeline, name="timeline"),
    path("activities.ics", views.calendar_feed, name="calendar"),
]
