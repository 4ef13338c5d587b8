from django.urls import path

from . import views

app_name = "project_concepts"
urlpatterns = [path("concepts/", views.project_concepts, name="list")]
