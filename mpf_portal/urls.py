from django.contrib import admin
from django.urls import include, path

from common.views import healthz
from dashboards.views import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("projects/", include("projects.urls")),
    path("projects/<slug:slug>/budget/", include("budgets.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "MPF Portal administration"
admin.site.site_title = "MPF Portal"
