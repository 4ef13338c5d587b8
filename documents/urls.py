from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("documents/", views.document_list, name="list"),
    path("documents/upload/", views.document_upload, name="upload"),
    path("documents/<int:document_id>/", views.document_detail, name="detail"),
    path("documents/<int:document_id>/versions/", views.version_upload, name="version_upload"),
    path("documents/<int:document_id>/download/", views.document_download, name="download"),
    path(
        "documents/<int:document_id>/versions/<int:number>/download/", views.document_download, name="version_download"
    ),
    path("activities/<int:activity_id>/documents/", views.activity_documents, name="activity"),
]
