from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from common.views import healthz, preferences, set_language
from dashboards.views import home, iati_activities, project_iati

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/preferences/", preferences, name="preferences"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("projects/", include("projects.urls")),
    path("", include("dashboards.urls")),  # /dashboard/… and /projects/<slug>/dashboard/
    path("projects/<slug:slug>/budget/", include("budgets.urls")),
    path("budgets/", include("budgets.import_urls")),
    path("projects/<slug:slug>/iati.xml", project_iati, name="project_iati"),
    path("projects/<slug:slug>/", include("activities.urls")),
    path("projects/<slug:slug>/", include("concepts.project_urls")),
    path("projects/<slug:slug>/", include("documents.urls")),
    path("projects/<slug:slug>/results/", include("results.urls")),
    path("projects/<slug:slug>/reports/", include("reports.urls")),
    path("projects/<slug:slug>/reports/<int:report_id>/files/", include("reports.render_urls")),
    path("concepts/", include("concepts.urls")),
    path("reports/", include("reports.portfolio_urls")),
    path("iati/activities.xml", iati_activities, name="iati_activities"),
    path("api/", include("dashboards.api_urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "common.views.bad_request"

admin.site.site_header = _("MPF Portal administration")
admin.site.site_title = _("MPF Portal")
