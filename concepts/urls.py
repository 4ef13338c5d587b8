from django.urls import path

from . import draft_views, import_views, inplace_views, markup_views, views
from .rendering import views as render_views

app_name = "concepts"
S = "<int:concept_id>/sections/<int:section_id>"
urlpatterns = [
    path("<int:concept_id>/", views.concept_detail, name="detail"),
    path("<int:concept_id>/advance/", views.concept_advance, name="advance"),
    path("<int:concept_id>/compare/", views.concept_compare, name="compare"),
    path("<int:concept_id>/translations/", views.concept_translations, name="translations"),
    path("<int:concept_id>/sections/new/", views.section_add, name="section_add"),
    path("<int:concept_id>/import/", import_views.concept_import, name="import"),
    path("<int:concept_id>/import/<int:job_id>/", import_views.concept_import_job, name="import_job"),
    path("<int:concept_id>/markup/", markup_views.concept_markup_import, name="markup_import"),
    path("<int:concept_id>/markup/<int:job_id>/", markup_views.concept_markup_import_job, name="markup_import_job"),
    path(f"{S}/", views.section_detail, name="section"),
    path(f"{S}/edit/", views.section_edit, name="section_edit"),
    path(f"{S}/inplace/", inplace_views.section_inplace, name="section_inplace"),
    path(f"{S}/block/", inplace_views.section_block, name="section_block"),
    path(f"{S}/translate/<str:language>/", views.section_translate, name="section_translate"),
    path(f"{S}/resolve/", views.section_resolve, name="section_resolve"),
    path(f"{S}/presence/", views.section_presence, name="section_presence"),
    path(f"{S}/draft/", draft_views.section_draft_save, name="section_draft_save"),
    path(f"{S}/drafts/<int:draft_id>/", draft_views.section_draft, name="section_draft"),
    path(f"{S}/drafts/<int:draft_id>/discard/", draft_views.section_draft_discard, name="section_draft_discard"),
    path(f"{S}/comment-draft/", draft_views.comment_draft_save, name="comment_draft_save"),
    path(
        f"{S}/comment-drafts/<int:draft_id>/discard/", draft_views.comment_draft_discard, name="comment_draft_discard"
    ),
    path(f"{S}/move/", views.section_move, name="section_move"),
    path(f"{S}/place/", views.section_place, name="section_place"),
    path(f"{S}/remove/", views.section_remove, name="section_remove"),
    path(f"{S}/restore/", views.section_restore, name="section_restore"),
    path(f"{S}/history/", views.section_history, name="section_history"),
    path(f"{S}/compare/", views.section_compare, name="section_compare"),
    path(f"{S}/versions/<int:number>/", views.version_detail, name="version"),
    path(f"{S}/versions/<int:number>/restore/", views.version_restore, name="version_restore"),
    path(f"{S}/comments/", views.comment_add, name="comment_add"),
    path("<int:concept_id>/comments/<int:comment_id>/disposition/", views.comment_disposition, name="disposition"),
    path("<int:concept_id>/comments/<int:comment_id>/accept/", views.suggestion_accept, name="suggestion_accept"),
    path("<int:concept_id>/dispositions/", views.dispositions, name="dispositions"),
    path("<int:concept_id>/dispositions.csv", views.dispositions, {"export": "csv"}, name="dispositions_csv"),
    path("<int:concept_id>/dispositions.xlsx", views.dispositions, {"export": "xlsx"}, name="dispositions_xlsx"),
    path("<int:concept_id>/editions/new/", views.edition_create, name="edition_create"),
    path("<int:concept_id>/editions/<int:edition_id>/", views.edition_detail, name="edition"),
    path("<int:concept_id>/editions/<int:edition_id>/pdf/", render_views.edition_pdf, name="edition_pdf"),
    path("<int:concept_id>/renders/", render_views.render_jobs, name="renders"),
    path("<int:concept_id>/renders/new/", render_views.render_request, name="render_request"),
    path(
        "<int:concept_id>/editions/<int:edition_id>/renders/new/",
        render_views.render_request,
        name="edition_render_request",
    ),
    path("<int:concept_id>/renders/<int:job_id>/download/", render_views.render_download, name="render_download"),
]
