"""The access matrix: for every named URL, what each role gets, per method.

Every URL the portal names must have an entry here (`test_access_matrix.py` walks the
URLconf and fails on one without), so no view ships without its refusals being decided
and tested. Outcomes: a status code, LOGIN (redirect to the log-in page) or REDIRECT
(any other redirect, e.g. after a successful POST or to a role's home).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

LOGIN = "login"
REDIRECT = "redirect"

ROLES = [
    "anonymous",
    "outsider",
    "other_drafter",
    "portfolio_donor",
    "donor",
    "reviewer",
    "drafter",
    "manager",
    "staff",
]
MEMBERS = ["donor", "reviewer", "drafter", "manager"]


def outcomes(default, **by_role) -> dict:
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: by_role.get(role, default) for role in ROLES}


def private_project(members_get, *, anonymous=404, **by_role) -> dict:
    """An unpublished project: non-members get 404, members what `members_get` says."""
    return outcomes(404, anonymous=anonymous, staff=members_get, **dict.fromkeys(MEMBERS, members_get) | by_role)


@dataclass(frozen=True)
class Case:
    expect: dict
    method: str = "get"
    kwargs: Callable[[dict], dict] = field(default=lambda objects: {})
    data: dict = field(default_factory=dict)
    label: str = ""


def project_slug(objects):
    return {"slug": objects["project"].slug}


def public_slug(objects):
    return {"slug": objects["published_project"].slug}


def line_kwargs(objects):
    return {"slug": objects["project"].slug, "line_id": objects["line"].pk}


def expenditure_kwargs(objects):
    return {"slug": objects["project"].slug, "expenditure_id": objects["expenditure"].pk}


def activity_kwargs(objects):
    return {"slug": objects["project"].slug, "activity_id": objects["activity"].pk}


def public_activity_kwargs(objects):
    return {"slug": objects["published_project"].slug, "activity_id": objects["public_activity"].pk}


def result_kwargs(objects):
    return {"slug": objects["project"].slug, "result_id": objects["result"].pk}


def indicator_kwargs(objects):
    return {"slug": objects["project"].slug, "indicator_id": objects["indicator"].pk}


def period_kwargs(objects):
    return {"slug": objects["project"].slug, "period_id": objects["period"].pk}


def update_kwargs(objects):
    return {"slug": objects["project"].slug, "update_id": objects["update"].pk}


def concept_kwargs(objects):
    return {"concept_id": objects["concept"].pk}


def section_kwargs(objects):
    return {"concept_id": objects["concept"].pk, "section_id": objects["section"].pk}


def draft_kwargs(objects):
    return {**section_kwargs(objects), "draft_id": objects["draft"].pk}


def comment_draft_kwargs(objects):
    return {**section_kwargs(objects), "draft_id": objects["comment_draft"].pk}


def version_kwargs(objects):
    return {**section_kwargs(objects), "number": 1}


def comment_kwargs(objects):
    return {"concept_id": objects["concept"].pk, "comment_id": objects["comment"].pk}


def edition_kwargs(objects):
    return {"concept_id": objects["concept"].pk, "edition_id": objects["edition"].pk}


def public_concept_kwargs(objects):
    return {"concept_id": objects["public_concept"].pk}


def reviewer_session(objects):
    """A session of the reviewer, in another browser: only the reviewer may end it."""
    from accounts.tests.factories import signed_in_session

    return {"session_id": signed_in_session(objects["membership"].user).pk}


def reviewer_passkey(objects):
    """A passkey of the reviewer: only the reviewer may remove it, and only from a verified session."""
    from django_otp_webauthn.models import WebAuthnCredential

    passkey = WebAuthnCredential.objects.create(
        user=objects["membership"].user, name="Security key", credential_id=b"reviewer-key", public_key=b"-"
    )
    return {"passkey_id": passkey.pk}


def done_render(objects, concept_key: str, edition_key: str, kind: str = "pdf"):
    """A finished render of that edition, with a small file (under MEDIA_ROOT/renders/access-matrix/)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from concepts.models import RenderJob

    name = f"renders/access-matrix/{concept_key}-{kind}.bin"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(b"%PDF-1.7 access matrix"))
    comparison = kind in ("redline_pdf", "tracked_docx")  # compared with the draft
    return RenderJob.objects.create(
        concept=objects[concept_key], edition=objects[edition_key], kind=kind, status="done", file=name,
        against_draft=comparison,
        filename=f"concept.{kind}", content_hash=f"{concept_key}-{kind}".ljust(64, "0"), file_size=22, page_count=1,
    )  # fmt: skip


def render_kwargs(concept_key: str, edition_key: str, kind: str = "pdf"):
    def kwargs(objects):
        job = done_render(objects, concept_key, edition_key, kind)
        return {"concept_id": objects[concept_key].pk, "job_id": job.pk}

    return kwargs


def rendered_edition_kwargs(concept_key: str, edition_key: str):
    def kwargs(objects):
        done_render(objects, concept_key, edition_key)
        return {"concept_id": objects[concept_key].pk, "edition_id": objects[edition_key].pk}

    return kwargs


def public_edition_kwargs(objects):
    return {"concept_id": objects["public_concept"].pk, "edition_id": objects["final_edition"].pk}


def export_job(owner: str, *, done: bool):
    """An export job of the user `owner`: still waiting, or written with its file."""

    def kwargs(objects):
        from django.contrib.auth import get_user_model
        from django.core.files.base import ContentFile

        from dashboards.models import ExportJob

        user = get_user_model().objects.get(username=owner)
        job = ExportJob.objects.create(user=user, kind="transactions", fmt="csv", filename="mpf-transactions.csv")
        if done:
            from django.http import QueryDict

            from dashboards.exporting import export_projects, projects_digest

            job.status = ExportJob.Status.DONE
            # what the worker keeps: the projects the file holds, as the owner's dashboard selects them
            job.projects_digest = projects_digest(export_projects(user=user, query=QueryDict()))
            job.file.save("mpf-transactions.csv", ContentFile(b"record\n"), save=True)
        return {"job_id": job.pk}

    return kwargs


EXPORT_OWNER = outcomes(404, anonymous=LOGIN, donor=200)  # the donor's own job; anyone else's is not found


def import_job(owner: str, kind: str, target_key: str | None = None, **fields):
    """A finished import job started by the user `owner`, waiting for its confirmation."""
    from django.contrib.auth import get_user_model

    from common.models import ImportJob
    from concepts.importing import parse_markdown, plan_to_json

    def make(objects):
        job = ImportJob(
            kind=kind,
            user=get_user_model().objects.get(username=owner),
            filename="file.md",
            status="done",
            result=fields.get("result") or plan_to_json(parse_markdown("# One\n\nText.")),
        )
        if target_key:
            job.target = objects[target_key]
        job.save()
        return job

    return make


def spreadsheet_import_job_kwargs(kind: str):
    def kwargs(objects):
        preview = {"rows": [], "missing_columns": [], "unknown_columns": [], "imported": True}
        return {"job_id": import_job("staff", kind, result={"preview": preview, "projects": []})(objects).pk}

    return kwargs


def concept_import_job_kwargs(owner: str):
    def kwargs(objects):
        return {"slug": objects["project"].slug, "job_id": import_job(owner, "concept", "project")(objects).pk}

    return kwargs


def sections_import_job_kwargs(owner: str):
    def kwargs(objects):
        return {"concept_id": objects["concept"].pk, "job_id": import_job(owner, "sections", "concept")(objects).pk}

    return kwargs


def markup_import_job_kwargs(owner: str, *, under: str = "concept"):
    """A read markup import job (an empty plan) on the concept, asked for under the concept `under`."""

    def kwargs(objects):
        result = {"base": "", "items": [], "problems": []}
        job = import_job(owner, "markup", "concept", result=result)(objects)
        return {"concept_id": objects[under].pk, "job_id": job.pk}

    return kwargs


def document_kwargs(project_key: str, visibility: str, *, under: str | None = None, version: bool = False):
    """A document of `project_key` with that visibility, asked for under the slug of `under` (default: its own)."""

    def kwargs(objects):
        from documents.tests.factories import stored_document

        document = stored_document(objects[project_key], visibility=visibility)
        found = {"slug": objects[under or project_key].slug, "document_id": document.pk}
        return {**found, "number": 1} if version else found

    return kwargs


def document_cases(*, version: bool = False) -> list:
    """Each visibility level on the unpublished and the published project, and another project's id."""

    def case(expect, project_key, visibility, **options):
        kwargs = document_kwargs(project_key, visibility, version=version, **options)
        return Case(expect, kwargs=kwargs, label=f"{visibility}-{project_key}{'-elsewhere' if options else ''}")

    return [
        case(private_project(200, donor=404), "project", "team"),
        case(private_project(200), "project", "donors"),
        case(private_project(200), "project", "public"),
        case(outcomes(404, reviewer=200, drafter=200, manager=200, staff=200), "published_project", "team"),
        case(
            outcomes(404, portfolio_donor=200, donor=200, reviewer=200, drafter=200, manager=200, staff=200),
            "published_project",
            "donors",
        ),
        case(outcomes(200), "published_project", "public"),
        case(outcomes(404), "other_project", "public", under="project"),
    ]


def report_kwargs(project_key: str, state: str = "in_progress", *, under: str | None = None):
    """A report of `project_key` in that state, asked for under the slug of `under` (default: its own)."""

    def kwargs(objects):
        from reports.tests.factories import ReportFactory, frozen_report

        project = objects[project_key]
        if state in ("submitted", "approved"):
            report = frozen_report(project, state=state, title=f"{state} report")
        else:
            report = ReportFactory(project=project, state=state)
        return {"slug": objects[under or project_key].slug, "report_id": report.pk}

    return kwargs


def narrative_kwargs(project_key: str, state: str = "in_progress"):
    def kwargs(objects):
        return {**report_kwargs(project_key, state)(objects), "language": "en"}

    return kwargs


def report_file_kwargs(project_key: str, made_for: str):
    """A finished PDF of an approved report of `project_key`, made for readers with the capabilities of
    the user `made_for` (a file shows what its audience may see: reports/rendering.py)."""

    def kwargs(objects):
        from django.contrib.auth import get_user_model
        from django.core.files.base import ContentFile

        from projects.access import capabilities
        from reports.job_models import ReportRenderJob
        from reports.rendering import audience_of

        report_id = report_kwargs(project_key, "approved")(objects)["report_id"]
        user = get_user_model().objects.get(username=made_for)
        job = ReportRenderJob(
            report_id=report_id,
            kind="pdf",
            language="en",
            status="done",
            filename="report.pdf",
            audience=audience_of(capabilities(user, objects[project_key])),
            content_hash=f"{report_id}".ljust(64, "0"),
        )
        job.file.save("report.pdf", ContentFile(b"%PDF-1.7 access matrix"), save=True)
        return {"slug": objects[project_key].slug, "report_id": report_id, "job_id": job.pk}

    return kwargs


# Periodic reports (reports/): managers, drafters and staff (REPORT) read every report of the project;
# donors and the Donors group (READ_REPORTS) the approved ones only (any other report is not found for
# them); reviewers read none (403). Writing takes REPORT, submitting being responsible for the report
# or EDIT, approving and returning EDIT.
READ_REPORTS_PRIVATE = private_project(200, anonymous=LOGIN, reviewer=403)
READ_REPORTS_PUBLIC = outcomes(
    403, anonymous=LOGIN, portfolio_donor=200, donor=200, drafter=200, manager=200, staff=200
)
UNAPPROVED_REPORT = private_project(200, anonymous=LOGIN, donor=404, reviewer=403)


# Uploading documents: managers, drafters and staff (Capability.UPLOAD); reviewers and donors are refused.
UPLOAD_PRIVATE = private_project(200, anonymous=LOGIN, donor=403, reviewer=403)
UPLOAD_PUBLIC = outcomes(403, anonymous=LOGIN, manager=200, drafter=200, staff=200)

# Concept drafts (on the unpublished project) are read by its managers, drafters and reviewers only.
DRAFTS = outcomes(404, manager=200, drafter=200, reviewer=200, staff=200)


def drafting(done):
    return outcomes(404, anonymous=LOGIN, manager=done, drafter=done, staff=done, reviewer=403)


# Asking for a printed file of a draft: those who draft; reviewers read drafts but may not ask (403).
RENDER_ANY = outcomes(404, manager=REDIRECT, drafter=REDIRECT, staff=REDIRECT, reviewer=403)


def concept_editing(done):
    return outcomes(404, anonymous=LOGIN, manager=done, staff=done, drafter=403, reviewer=403)


def commenting(done):
    return outcomes(404, anonymous=LOGIN, manager=done, drafter=done, reviewer=done, staff=done)


# What each capability gives on the unpublished `project` (members only) and on the published one.
READ_PRIVATE = private_project(200, anonymous=LOGIN)
FINANCE_PRIVATE = private_project(200, anonymous=LOGIN, reviewer=403, drafter=403)
EDIT_PRIVATE = private_project(200, anonymous=LOGIN, donor=403, reviewer=403, drafter=403)
EDIT_PRIVATE_DONE = private_project(REDIRECT, anonymous=LOGIN, donor=403, reviewer=403, drafter=403)
READ_PUBLIC = outcomes(200, anonymous=LOGIN, outsider=403, other_drafter=403)
FINANCE_PUBLIC = outcomes(403, anonymous=LOGIN, portfolio_donor=200, donor=200, manager=200, staff=200)
EDIT_PUBLIC = outcomes(403, anonymous=LOGIN, manager=200, staff=200)
REPORT_PRIVATE = private_project(200, anonymous=LOGIN, donor=403, reviewer=403)
VIEW_PRIVATE = private_project(200)
VIEW_PUBLIC = outcomes(200)
STAFF_ONLY = outcomes(403, anonymous=LOGIN, staff=200)
MANAGERS_AND_STAFF = outcomes(403, anonymous=LOGIN, manager=200, staff=200)
DASHBOARD = outcomes(403, anonymous=LOGIN, portfolio_donor=200, donor=200, manager=200, staff=200)
API_FINANCE_PRIVATE = private_project(200, reviewer=404, drafter=404)  # the API hides what it refuses
UNKNOWN_UPLOAD = "00000000-0000-4000-8000-000000000000"  # an import upload no session holds

# Namespaces whose views are protected as a whole by their framework; their index is in the matrix.
FRAMEWORK_NAMESPACES = {"admin"}

MATRIX: dict[str, list[Case]] = {
    # The portal's shell
    "home": [Case(outcomes(REDIRECT))],
    "healthz": [Case(outcomes(200))],
    "set_language": [Case(outcomes(REDIRECT), method="post", data={"language": "en", "next": "/"})],
    # Accounts (Django's auth views with our templates)
    "login": [Case(outcomes(200))],
    "logout": [Case(outcomes(REDIRECT), method="post"), Case(outcomes(405), label="get is refused")],
    "preferences": [
        Case(outcomes(200, anonymous=LOGIN)),
        Case(outcomes(REDIRECT, anonymous=LOGIN), method="post", data={"email_notifications": "on"}),
    ],
    "password_change": [Case(outcomes(200, anonymous=LOGIN))],
    "password_change_done": [Case(outcomes(200, anonymous=LOGIN))],
    "password_reset": [Case(outcomes(200))],
    "password_reset_done": [Case(outcomes(200))],
    "password_reset_confirm": [Case(outcomes(200), kwargs=lambda o: {"uidb64": "MQ", "token": "bad-token"})],
    "password_reset_complete": [Case(outcomes(200))],
    # Two-factor login (accounts/two_factor.py). No role here has a factor: the second step sends them
    # to the settings page; changing factors takes a verified session. tests in accounts/tests cover the rest.
    "two_factor": [Case(outcomes(200, anonymous=LOGIN))],
    "two_factor_verify": [
        Case(outcomes(REDIRECT, anonymous=LOGIN)),
        Case(outcomes(REDIRECT, anonymous=LOGIN), method="post", data={"code": "123456"}),
    ],
    "two_factor_enrol": [
        Case(outcomes(200, anonymous=LOGIN)),
        Case(outcomes(200, anonymous=LOGIN), method="post", data={"code": "000000"}, label="wrong code"),
    ],
    "two_factor_recovery_codes": [
        Case(outcomes(403, anonymous=LOGIN), method="post"),
        Case(outcomes(405, anonymous=LOGIN), label="get is refused"),
    ],
    "two_factor_disable": [
        Case(outcomes(403, anonymous=LOGIN), method="post"),
        Case(outcomes(405, anonymous=LOGIN), label="get is refused"),
    ],
    # Single sign-on: off here (no OIDC_ISSUER), so not found for everyone; accounts/tests/test_sso.py covers
    # every role with it configured (anyone may start it; a callback that is not the answer to their own start
    # signs nobody in).
    "sso_login": [Case(outcomes(404))],
    "sso_callback": [Case(outcomes(404)), Case(outcomes(404), data={"code": "x", "state": "y"}, label="forged")],
    # Passkeys (accounts/passkeys.py, django-otp-webauthn's views): JSON answers. No role here has an app, so
    # none may add a passkey; the second step's ceremony needs a signed-in user (no passwordless login).
    "otp_webauthn:credential-registration-begin": [
        Case(outcomes(403), method="post"),
        Case(outcomes(403), label="get (refused before the method is looked at)"),
    ],
    "otp_webauthn:credential-registration-complete": [Case(outcomes(403), method="post")],
    "otp_webauthn:credential-authentication-begin": [Case(outcomes(200, anonymous=403), method="post")],
    "otp_webauthn:credential-authentication-complete": [Case(outcomes(400, anonymous=403), method="post")],
    "otp_webauthn:js-i18n-catalog": [Case(outcomes(200))],
    "two_factor_passkey_remove": [
        Case(outcomes(404, anonymous=LOGIN, reviewer=403), method="post", kwargs=reviewer_passkey),
        Case(outcomes(405, anonymous=LOGIN), kwargs=reviewer_passkey, label="get is refused"),
    ],
    "sessions": [Case(outcomes(200, anonymous=LOGIN))],
    "session_end": [
        Case(outcomes(404, anonymous=LOGIN, reviewer=REDIRECT), method="post", kwargs=reviewer_session),
        Case(outcomes(405, anonymous=LOGIN), kwargs=reviewer_session, label="get is refused"),
    ],
    "sessions_end_others": [
        Case(outcomes(REDIRECT, anonymous=LOGIN), method="post"),
        Case(outcomes(405, anonymous=LOGIN), label="get is refused"),
    ],
    # Projects
    "projects:list": [Case(outcomes(200))],
    "projects:detail": [
        Case(private_project(200), kwargs=project_slug, label="unpublished"),
        Case(outcomes(200), kwargs=public_slug, label="published"),
    ],
    "projects:create": [Case(STAFF_ONLY), Case(STAFF_ONLY, method="post", label="invalid form")],
    "projects:edit": [
        Case(EDIT_PRIVATE, kwargs=project_slug),
        Case(EDIT_PRIVATE, method="post", kwargs=project_slug, label="invalid form"),
        Case(EDIT_PUBLIC, kwargs=public_slug, label="published"),
    ],
    "projects:partners": [
        Case(READ_PRIVATE, kwargs=project_slug),
        Case(READ_PUBLIC, kwargs=public_slug, label="published"),
        Case(EDIT_PRIVATE, method="post", kwargs=project_slug, label="add invalid"),
    ],
    "projects:partner_remove": [
        Case(
            EDIT_PRIVATE_DONE,
            method="post",
            kwargs=lambda o: {"slug": o["project"].slug, "partner_id": o["partner"].pk},
        ),
        Case(
            outcomes(405, anonymous=LOGIN), kwargs=lambda o: {"slug": o["project"].slug, "partner_id": o["partner"].pk}
        ),
    ],
    "projects:members": [
        Case(READ_PRIVATE, kwargs=project_slug),
        Case(READ_PUBLIC, kwargs=public_slug, label="published"),
        Case(EDIT_PRIVATE, method="post", kwargs=project_slug, label="add invalid"),
    ],
    "projects:member_change": [
        Case(
            EDIT_PRIVATE_DONE,
            method="post",
            kwargs=lambda o: {"slug": o["project"].slug, "membership_id": o["membership"].pk},
            data={"action": "change", "role": "reviewer"},
        ),
    ],
    "projects:history": [Case(READ_PRIVATE, kwargs=project_slug), Case(READ_PUBLIC, kwargs=public_slug, label="pub")],
    "projects:import": [Case(STAFF_ONLY), Case(STAFF_ONLY, method="post", label="no file")],
    "projects:import_confirm": [
        Case(outcomes(403, anonymous=LOGIN, staff=404), method="post", data={"upload": UNKNOWN_UPLOAD}),
        Case(outcomes(405, anonymous=LOGIN), label="get is refused"),
    ],
    "projects:import_template": [Case(STAFF_ONLY)],
    "projects:import_job": [Case(STAFF_ONLY, kwargs=spreadsheet_import_job_kwargs("portfolio"))],
    # Budgets
    "budgets:overview": [
        Case(FINANCE_PRIVATE, kwargs=project_slug),
        Case(FINANCE_PUBLIC, kwargs=public_slug, label="pub"),
    ],
    "budgets:export_csv": [
        Case(FINANCE_PRIVATE, kwargs=project_slug),
        Case(FINANCE_PUBLIC, kwargs=public_slug, label="pub"),
    ],
    "budgets:line_create": [
        Case(EDIT_PRIVATE, kwargs=project_slug),
        Case(EDIT_PRIVATE, method="post", kwargs=project_slug, label="invalid form"),
    ],
    "budgets:line_edit": [
        Case(EDIT_PRIVATE, kwargs=line_kwargs),
        Case(EDIT_PRIVATE, method="post", kwargs=line_kwargs),
    ],
    "budgets:line_revise": [
        Case(EDIT_PRIVATE, kwargs=line_kwargs),
        Case(EDIT_PRIVATE, method="post", kwargs=line_kwargs),
    ],
    "budgets:expenditure_create": [
        Case(EDIT_PRIVATE, kwargs=project_slug),
        Case(EDIT_PRIVATE, method="post", kwargs=project_slug, label="invalid form"),
    ],
    "budgets:expenditure_edit": [
        Case(EDIT_PRIVATE, kwargs=expenditure_kwargs),
        Case(EDIT_PRIVATE, method="post", kwargs=expenditure_kwargs, label="invalid form"),
    ],
    "budgets:expenditure_delete": [
        Case(EDIT_PRIVATE_DONE, method="post", kwargs=expenditure_kwargs),
        Case(outcomes(405, anonymous=LOGIN), kwargs=expenditure_kwargs, label="get"),
    ],
    # Activities
    "activities:list": [Case(VIEW_PRIVATE, kwargs=project_slug), Case(VIEW_PUBLIC, kwargs=public_slug, label="pub")],
    "activities:timeline": [
        Case(VIEW_PRIVATE, kwargs=project_slug),
        Case(VIEW_PUBLIC, kwargs=public_slug, label="pub"),
    ],
    "activities:calendar": [
        Case(VIEW_PRIVATE, kwargs=project_slug),
        Case(VIEW_PUBLIC, kwargs=public_slug, label="pub"),
    ],
    "activities:detail": [
        Case(VIEW_PRIVATE, kwargs=activity_kwargs),
        Case(VIEW_PUBLIC, kwargs=public_activity_kwargs, label="pub"),
    ],
    "activities:create": [
        Case(EDIT_PRIVATE, kwargs=project_slug),
        Case(EDIT_PRIVATE, method="post", kwargs=project_slug, label="invalid form"),
        Case(EDIT_PUBLIC, kwargs=public_slug, label="pub"),
    ],
    "activities:edit": [
        Case(EDIT_PRIVATE, kwargs=activity_kwargs),
        Case(EDIT_PRIVATE, method="post", kwargs=activity_kwargs, label="invalid form"),
    ],
    "activities:cancel": [
        Case(EDIT_PRIVATE_DONE, method="post", kwargs=activity_kwargs),
        Case(outcomes(405, anonymous=LOGIN), kwargs=activity_kwargs, label="get"),
    ],
    "activities:move": [Case(EDIT_PRIVATE_DONE, method="post", kwargs=activity_kwargs, data={"direction": "up"})],
    "activities:participation_add": [Case(EDIT_PRIVATE, method="post", kwargs=activity_kwargs, label="invalid form")],
    "activities:participation_remove": [
        Case(
            EDIT_PRIVATE_DONE,
            method="post",
            kwargs=lambda o: {**activity_kwargs(o), "participation_id": o["participation"].pk},
        )
    ],
    # The results framework (results/): members read it, managers and staff edit and approve, managers
    # and drafters report; reviewers and donors read only.
    "results:framework": [
        Case(READ_PRIVATE, kwargs=project_slug),
        Case(READ_PUBLIC, kwargs=public_slug, label="pub"),
    ],
    "results:result_create": [
        Case(EDIT_PRIVATE, kwargs=project_slug),
        Case(EDIT_PRIVATE, method="post", kwargs=project_slug, label="invalid form"),
        Case(EDIT_PUBLIC, kwargs=public_slug, label="pub"),
    ],
    "results:result_edit": [
        Case(EDIT_PRIVATE, kwargs=result_kwargs),
        Case(EDIT_PRIVATE, method="post", kwargs=result_kwargs, label="invalid form"),
    ],
    "results:timeline": [Case(READ_PRIVATE, kwargs=result_kwargs)],
    "results:indicator_create": [
        Case(EDIT_PRIVATE, kwargs=result_kwargs),
        Case(EDIT_PRIVATE, method="post", kwargs=result_kwargs, label="invalid form"),
    ],
    "results:indicator_edit": [
        Case(EDIT_PRIVATE, kwargs=indicator_kwargs),
        Case(EDIT_PRIVATE, method="post", kwargs=indicator_kwargs, label="invalid form"),
    ],
    "results:target_set": [
        Case(EDIT_PRIVATE, method="post", kwargs=indicator_kwargs, data={"value": "x"}, label="invalid form"),
        Case(outcomes(405, anonymous=LOGIN), kwargs=indicator_kwargs, label="get"),
    ],
    "results:periods": [
        Case(READ_PRIVATE, kwargs=project_slug),
        Case(EDIT_PRIVATE, method="post", kwargs=project_slug, label="invalid form"),
    ],
    "results:period": [
        Case(READ_PRIVATE, kwargs=period_kwargs),
        Case(REPORT_PRIVATE, method="post", kwargs=period_kwargs, label="nothing entered"),
    ],
    "results:approvals": [Case(EDIT_PRIVATE, kwargs=project_slug)],
    "results:export": [
        Case(READ_PRIVATE, kwargs=lambda o: {**project_slug(o), "fmt": "xlsx"}),
        Case(READ_PUBLIC, kwargs=lambda o: {**public_slug(o), "fmt": "csv"}, label="pub"),
    ],
    "results:review": [
        Case(EDIT_PRIVATE_DONE, method="post", kwargs=update_kwargs, data={"action": "approve"}),
        Case(outcomes(405, anonymous=LOGIN), kwargs=update_kwargs, label="get"),
    ],
    # Periodic reports
    "reports:list": [
        Case(READ_REPORTS_PRIVATE, kwargs=project_slug),
        Case(READ_REPORTS_PUBLIC, kwargs=public_slug, label="pub"),
    ],
    "reports:schedule": [
        Case(EDIT_PRIVATE, method="post", kwargs=project_slug, data={"days_to_submit": "x"}, label="invalid form"),
        Case(EDIT_PUBLIC, method="post", kwargs=public_slug, data={"days_to_submit": "x"}, label="pub invalid"),
        Case(outcomes(405, anonymous=LOGIN), kwargs=project_slug, label="get"),
    ],
    "reports:create": [
        Case(EDIT_PRIVATE, kwargs=project_slug),
        Case(EDIT_PRIVATE, method="post", kwargs=project_slug, label="invalid form"),
        Case(EDIT_PUBLIC, kwargs=public_slug, label="pub"),
    ],
    "reports:detail": [
        Case(UNAPPROVED_REPORT, kwargs=report_kwargs("project"), label="in progress"),
        Case(UNAPPROVED_REPORT, kwargs=report_kwargs("project", "submitted"), label="submitted"),
        Case(READ_REPORTS_PRIVATE, kwargs=report_kwargs("project", "approved"), label="approved"),
        Case(READ_REPORTS_PUBLIC, kwargs=report_kwargs("published_project", "approved"), label="pub approved"),
        Case(
            outcomes(403, anonymous=LOGIN, portfolio_donor=404, donor=404, drafter=200, manager=200, staff=200),
            kwargs=report_kwargs("published_project", "returned"),
            label="pub returned",
        ),
        Case(
            private_project(404, anonymous=LOGIN, reviewer=403),
            kwargs=report_kwargs("other_project", "approved", under="project"),
            label="elsewhere",
        ),
    ],
    # A report's printed files: asked for and listed by whoever reads it (once submitted); each reader
    # downloads only the files made for readers who may see what they may (reports/render_views.py)
    "report_files:list": [
        Case(UNAPPROVED_REPORT, kwargs=report_kwargs("project"), label="in progress"),
        Case(READ_REPORTS_PRIVATE, kwargs=report_kwargs("project", "approved"), label="approved"),
        Case(READ_REPORTS_PUBLIC, kwargs=report_kwargs("published_project", "approved"), label="pub approved"),
        Case(
            private_project(404, anonymous=LOGIN, reviewer=403),
            kwargs=report_kwargs("other_project", "approved", under="project"),
            label="elsewhere",
        ),
    ],
    "report_files:request": [
        Case(
            private_project(REDIRECT, anonymous=LOGIN, reviewer=403),
            method="post",
            kwargs=report_kwargs("project", "approved"),
            data={"kind": "nothing"},
            label="approved",
        ),
        Case(
            private_project(REDIRECT, anonymous=LOGIN, donor=404, reviewer=403),
            method="post",
            kwargs=report_kwargs("project", "submitted"),
            data={"kind": "nothing"},
            label="submitted",
        ),
        Case(
            private_project(403, anonymous=LOGIN, donor=404),
            method="post",
            kwargs=report_kwargs("project"),
            data={"kind": "pdf"},
            label="in progress",
        ),
        Case(outcomes(405, anonymous=LOGIN), kwargs=report_kwargs("project", "approved"), label="get"),
    ],
    "report_files:download": [
        Case(
            outcomes(404, anonymous=LOGIN, reviewer=403, manager=200, staff=200),
            kwargs=report_file_kwargs("project", "manager"),
            label="made for managers",
        ),
        Case(
            outcomes(404, anonymous=LOGIN, reviewer=403, donor=200),
            kwargs=report_file_kwargs("project", "donor"),
            label="made for donors",
        ),
        Case(
            outcomes(
                403,
                anonymous=LOGIN,
                portfolio_donor=200,
                donor=200,
                drafter=404,
                manager=404,
                staff=404,
            ),
            kwargs=report_file_kwargs("published_project", "portfolio_donor"),
            label="pub made for donors",
        ),
    ],
    "reports:edit": [
        Case(
            private_project(200, anonymous=LOGIN, donor=404, reviewer=403, drafter=403), kwargs=report_kwargs("project")
        ),
        Case(
            private_project(200, anonymous=LOGIN, donor=404, reviewer=403, drafter=403),
            method="post",
            kwargs=report_kwargs("project"),
            label="invalid form",
        ),
        Case(
            private_project(200, anonymous=LOGIN, donor=403, reviewer=403, drafter=403),
            kwargs=report_kwargs("project", "approved"),
            label="approved",
        ),
    ],
    "reports:narrative": [
        Case(UNAPPROVED_REPORT, kwargs=narrative_kwargs("project")),
        Case(UNAPPROVED_REPORT, method="post", kwargs=narrative_kwargs("project"), label="invalid form"),
        Case(
            private_project(REDIRECT, anonymous=LOGIN, donor=403, reviewer=403),
            kwargs=narrative_kwargs("project", "approved"),
            label="approved",
        ),
        Case(
            outcomes(403, anonymous=LOGIN, portfolio_donor=404, donor=404, drafter=200, manager=200, staff=200),
            kwargs=narrative_kwargs("published_project"),
            label="pub",
        ),
    ],
    "reports:submit": [
        Case(
            private_project(REDIRECT, anonymous=LOGIN, donor=404, reviewer=403, drafter=403),
            method="post",
            kwargs=report_kwargs("project"),
            label="not responsible",
        ),
        Case(outcomes(405, anonymous=LOGIN), kwargs=report_kwargs("project"), label="get"),
    ],
    "reports:review": [
        Case(
            private_project(REDIRECT, anonymous=LOGIN, donor=404, reviewer=403, drafter=403),
            method="post",
            kwargs=report_kwargs("project", "submitted"),
            data={"action": "approve"},
        ),
        Case(
            private_project(REDIRECT, anonymous=LOGIN, donor=403, reviewer=403, drafter=403),
            method="post",
            kwargs=report_kwargs("project", "approved"),
            data={"action": "approve"},
            label="approved already",
        ),
        Case(outcomes(405, anonymous=LOGIN), kwargs=report_kwargs("project", "submitted"), label="get"),
    ],
    # Importing ledgers from a spreadsheet
    "budget_imports:ledger": [Case(STAFF_ONLY), Case(STAFF_ONLY, method="post", label="no file")],
    "budget_imports:ledger_confirm": [
        Case(outcomes(403, anonymous=LOGIN, staff=404), method="post", data={"upload": UNKNOWN_UPLOAD}),
        Case(outcomes(405, anonymous=LOGIN), label="get is refused"),
    ],
    "budget_imports:ledger_template": [Case(STAFF_ONLY)],
    "budget_imports:job": [Case(STAFF_ONLY, kwargs=spreadsheet_import_job_kwargs("ledger"))],
    # Concepts
    "project_concepts:list": [
        Case(VIEW_PRIVATE, kwargs=project_slug),
        Case(VIEW_PUBLIC, kwargs=public_slug, label="pub"),
        Case(
            private_project(200, donor=403, reviewer=403, drafter=403),
            method="post",
            kwargs=project_slug,
            label="create invalid",
        ),
    ],
    # Importing a concept, or sections, from a .docx/.md file: managers, drafters and staff (Capability.DRAFT)
    "project_concepts:import": [
        Case(private_project(200, anonymous=LOGIN, donor=403, reviewer=403), kwargs=project_slug),
        Case(
            private_project(200, anonymous=LOGIN, donor=403, reviewer=403),
            method="post",
            kwargs=project_slug,
            label="no file",
        ),
        Case(outcomes(403, anonymous=LOGIN, manager=200, drafter=200, staff=200), kwargs=public_slug, label="pub"),
    ],
    # An import's progress and preview (POST confirms): its starter and the project's managers (and staff)
    "project_concepts:import_job": [
        Case(
            private_project(200, anonymous=LOGIN, donor=403, reviewer=403), kwargs=concept_import_job_kwargs("drafter")
        ),
        Case(
            private_project(200, anonymous=LOGIN, donor=403, reviewer=403, drafter=404),
            kwargs=concept_import_job_kwargs("manager"),
            label="manager's job",
        ),
        Case(
            private_project(200, anonymous=LOGIN, donor=403, reviewer=403),
            method="post",
            kwargs=concept_import_job_kwargs("drafter"),
            label="no title",
        ),
    ],
    "concepts:import": [
        Case(drafting(200), kwargs=concept_kwargs),
        Case(drafting(200), method="post", kwargs=concept_kwargs, label="no file"),
    ],
    "concepts:import_job": [
        Case(drafting(200), kwargs=sections_import_job_kwargs("drafter")),
        Case(
            outcomes(404, anonymous=LOGIN, manager=200, staff=200, reviewer=403),
            kwargs=sections_import_job_kwargs("manager"),
            label="manager's job",
        ),
        Case(drafting(REDIRECT), method="post", kwargs=sections_import_job_kwargs("drafter"), label="confirm"),
    ],
    # Importing a marked-up Word file back as suggestions and comments: those who draft (Capability.DRAFT)
    "concepts:markup_import": [
        Case(drafting(200), kwargs=concept_kwargs),
        Case(drafting(200), method="post", kwargs=concept_kwargs, label="no file"),
    ],
    # Its progress and preview (POST confirms): its starter and the project's managers (and staff)
    "concepts:markup_import_job": [
        Case(drafting(200), kwargs=markup_import_job_kwargs("drafter")),
        Case(
            outcomes(404, anonymous=LOGIN, manager=200, staff=200, reviewer=403),
            kwargs=markup_import_job_kwargs("manager"),
            label="manager's job",
        ),
        Case(drafting(REDIRECT), method="post", kwargs=markup_import_job_kwargs("drafter"), label="confirm"),
        Case(
            # the published project's concept: readers may not draft it (403); those who may, find no such job
            outcomes(403, anonymous=LOGIN, drafter=404, manager=404, staff=404),
            kwargs=markup_import_job_kwargs("drafter", under="public_concept"),
            label="another project's concept",
        ),
    ],
    "concepts:detail": [
        Case(DRAFTS, kwargs=concept_kwargs),
        Case(
            outcomes(REDIRECT, manager=200, drafter=200, reviewer=200, staff=200),
            kwargs=public_concept_kwargs,
            label="published concept",
        ),
    ],
    "concepts:compare": [Case(DRAFTS, kwargs=concept_kwargs)],
    "concepts:translations": [
        Case(DRAFTS, kwargs=concept_kwargs),
        # Anonymous: 404 like the page itself (a draft concept is not theirs to know about).
        Case(
            outcomes(404, manager=200, staff=200, drafter=403, reviewer=403),
            method="post",
            kwargs=concept_kwargs,
            data={"target_languages": "zz"},
            label="invalid",
        ),
    ],
    # GET: the confirmation page; opening the consultation (the drafting concept's next step) needs none.
    "concepts:advance": [
        Case(concept_editing(REDIRECT), method="post", kwargs=concept_kwargs),
        Case(concept_editing(200), kwargs=concept_kwargs, label="confirmation page"),
    ],
    "concepts:section_add": [
        Case(concept_editing(200), kwargs=concept_kwargs),
        Case(concept_editing(200), method="post", kwargs=concept_kwargs, label="invalid form"),
    ],
    "concepts:section": [Case(DRAFTS, kwargs=section_kwargs)],
    "concepts:section_translate": [
        Case(drafting(200), kwargs=lambda o: {**section_kwargs(o), "language": "ru"}),
        Case(drafting(200), method="post", kwargs=lambda o: {**section_kwargs(o), "language": "ru"}, label="invalid"),
        Case(drafting(REDIRECT), kwargs=lambda o: {**section_kwargs(o), "language": "xx"}, label="unknown language"),
    ],
    "concepts:section_edit": [
        Case(drafting(200), kwargs=section_kwargs),
        Case(drafting(200), method="post", kwargs=section_kwargs, label="invalid form"),
    ],
    # Editing in place on the concept page (htmx): the block's editor, and the block Cancel puts back.
    "concepts:section_inplace": [
        Case(drafting(200), kwargs=section_kwargs),
        Case(drafting(200), method="post", kwargs=section_kwargs, label="invalid form"),
    ],
    "concepts:section_block": [Case(DRAFTS, kwargs=section_kwargs)],
    # Settling an edit conflict: the form must carry the conflicting edit, so an empty post is refused (400).
    "concepts:section_resolve": [
        Case(drafting(400), method="post", kwargs=section_kwargs, label="without the edit"),
        Case(outcomes(405, anonymous=LOGIN), kwargs=section_kwargs, label="get is refused"),
    ],
    "concepts:section_presence": [
        Case(drafting(200), method="post", kwargs=section_kwargs),
        Case(outcomes(405, anonymous=LOGIN), kwargs=section_kwargs, label="get is refused"),
    ],
    # Unsaved drafts: the owner's alone (the matrix's draft is the drafter's); reviewers may not draft.
    "concepts:section_draft_save": [
        Case(
            drafting(200),
            method="post",
            kwargs=section_kwargs,
            data={"kind": "edit", "base_number": "1", "title": "Purpose", "body": "Typed, not saved."},
        ),
        Case(outcomes(405, anonymous=LOGIN), kwargs=section_kwargs, label="get is refused"),
    ],
    "concepts:section_draft": [
        Case(outcomes(404, anonymous=LOGIN, drafter=200, reviewer=403), kwargs=draft_kwargs),
    ],
    "concepts:section_draft_discard": [
        Case(outcomes(404, anonymous=LOGIN, drafter=REDIRECT, reviewer=403), method="post", kwargs=draft_kwargs),
        Case(outcomes(405, anonymous=LOGIN), kwargs=draft_kwargs, label="get is refused"),
    ],
    # Unsent comments: the owner's alone (the matrix's is the reviewer's); anyone who may comment keeps their own.
    "concepts:comment_draft_save": [
        Case(
            commenting(200),
            method="post",
            kwargs=section_kwargs,
            data={"version_number": "1", "body": "Typed, not posted."},
        ),
        Case(outcomes(405, anonymous=LOGIN), kwargs=section_kwargs, label="get is refused"),
    ],
    "concepts:comment_draft_discard": [
        Case(outcomes(404, anonymous=LOGIN, reviewer=REDIRECT), method="post", kwargs=comment_draft_kwargs),
        Case(outcomes(405, anonymous=LOGIN), kwargs=comment_draft_kwargs, label="get is refused"),
    ],
    "concepts:section_move": [
        Case(concept_editing(REDIRECT), method="post", kwargs=section_kwargs),
        Case(outcomes(405, anonymous=LOGIN), kwargs=section_kwargs, label="get is refused"),
    ],
    "concepts:section_place": [
        Case(concept_editing(200), kwargs=section_kwargs),
        Case(concept_editing(200), method="post", kwargs=section_kwargs, label="invalid form"),
    ],
    # Without the confirmation a POST only shows the confirmation page (200).
    "concepts:section_remove": [
        Case(concept_editing(200), kwargs=section_kwargs, label="confirmation page"),
        Case(concept_editing(200), method="post", kwargs=section_kwargs, label="unconfirmed"),
        Case(concept_editing(REDIRECT), method="post", kwargs=section_kwargs, data={"confirmed": "yes"}),
    ],
    # Restoring a section that is not removed says so and goes back to the concept.
    "concepts:section_restore": [
        Case(concept_editing(REDIRECT), method="post", kwargs=section_kwargs),
        Case(outcomes(405, anonymous=LOGIN), kwargs=section_kwargs, label="get is refused"),
    ],
    "concepts:section_history": [Case(DRAFTS, kwargs=section_kwargs)],
    "concepts:section_compare": [Case(DRAFTS, kwargs=section_kwargs)],
    "concepts:version": [Case(DRAFTS, kwargs=version_kwargs)],
    "concepts:version_restore": [
        Case(drafting(REDIRECT), method="post", kwargs=version_kwargs),
        Case(outcomes(405, anonymous=LOGIN), kwargs=version_kwargs, label="get is refused"),
    ],
    "concepts:comment_add": [
        Case(commenting(200), method="post", kwargs=section_kwargs, label="invalid form"),
        Case(outcomes(405, anonymous=LOGIN), kwargs=section_kwargs, label="get is refused"),
    ],
    "concepts:disposition": [
        Case(drafting(200), method="post", kwargs=comment_kwargs, label="invalid form"),
        Case(outcomes(405, anonymous=LOGIN), kwargs=comment_kwargs, label="get is refused"),
    ],
    "concepts:suggestion_accept": [
        Case(drafting(REDIRECT), method="post", kwargs=comment_kwargs),
        Case(outcomes(405, anonymous=LOGIN), kwargs=comment_kwargs, label="get is refused"),
    ],
    "concepts:dispositions": [Case(DRAFTS, kwargs=concept_kwargs)],
    "concepts:dispositions_csv": [Case(DRAFTS, kwargs=concept_kwargs)],
    "concepts:dispositions_xlsx": [Case(DRAFTS, kwargs=concept_kwargs)],
    "concepts:edition_create": [
        Case(concept_editing(200), kwargs=concept_kwargs),
        Case(concept_editing(200), method="post", kwargs=concept_kwargs, label="invalid"),
    ],
    "concepts:edition": [
        Case(DRAFTS, kwargs=edition_kwargs),
        Case(
            outcomes(200),
            kwargs=lambda o: {"concept_id": o["public_concept"].pk, "edition_id": o["final_edition"].pk},
            label="published final",
        ),
    ],
    # Printed files (PDF, Word): those who draft ask for any; everyone may have the published final edition's PDF
    "concepts:renders": [
        Case(DRAFTS, kwargs=concept_kwargs),
        Case(outcomes(200), kwargs=public_concept_kwargs, label="pub"),
    ],
    "concepts:render_request": [
        Case(RENDER_ANY, method="post", kwargs=concept_kwargs, data={"kind": "draft"}, label="draft"),
        Case(outcomes(405), kwargs=concept_kwargs, label="get is refused"),
    ],
    "concepts:edition_render_request": [
        Case(RENDER_ANY, method="post", kwargs=edition_kwargs, data={"kind": "pdf"}, label="draft concept"),
        Case(outcomes(REDIRECT), method="post", kwargs=public_edition_kwargs, data={"kind": "pdf"}, label="public"),
        Case(
            outcomes(403, manager=REDIRECT, drafter=REDIRECT, staff=REDIRECT),
            method="post",
            kwargs=public_edition_kwargs,
            data={"kind": "redline_pdf", "against": "draft"},
            label="public redline",
        ),
        Case(
            outcomes(403, manager=REDIRECT, drafter=REDIRECT, staff=REDIRECT),
            method="post",
            kwargs=public_edition_kwargs,
            data={"kind": "tracked_docx", "against": "draft"},
            label="public tracked word",
        ),
        Case(outcomes(405), kwargs=edition_kwargs, label="get is refused"),
    ],
    "concepts:render_download": [
        Case(DRAFTS, kwargs=render_kwargs("concept", "edition")),
        Case(outcomes(200), kwargs=render_kwargs("public_concept", "final_edition"), label="published final"),
        Case(
            outcomes(404, manager=200, drafter=200, reviewer=200, staff=200),
            kwargs=render_kwargs("public_concept", "final_edition", "docx"),
            label="published word",
        ),
        Case(
            outcomes(404, manager=200, drafter=200, reviewer=200, staff=200),
            kwargs=render_kwargs("public_concept", "final_edition", "tracked_docx"),
            label="published tracked word",
        ),
    ],
    "concepts:edition_pdf": [
        Case(DRAFTS, kwargs=rendered_edition_kwargs("concept", "edition")),
        Case(outcomes(200), kwargs=rendered_edition_kwargs("public_concept", "final_edition"), label="published"),
        Case(outcomes(404), kwargs=public_edition_kwargs, label="not rendered yet"),
    ],
    # Documents: the lists show each reader what they may open; a document they may not open is not found
    "documents:list": [
        Case(VIEW_PRIVATE, kwargs=project_slug),
        Case(VIEW_PUBLIC, kwargs=public_slug, label="pub"),
        Case(VIEW_PUBLIC, kwargs=public_slug, data={"category": "Z99"}, label="bad filter"),
    ],
    "documents:activity": [
        Case(VIEW_PRIVATE, kwargs=activity_kwargs),
        Case(VIEW_PUBLIC, kwargs=public_activity_kwargs, label="pub"),
    ],
    "documents:upload": [
        Case(UPLOAD_PRIVATE, kwargs=project_slug),
        Case(UPLOAD_PRIVATE, method="post", kwargs=project_slug, label="no file"),
        Case(UPLOAD_PUBLIC, kwargs=public_slug, label="pub"),
        Case(UPLOAD_PUBLIC, method="post", kwargs=public_slug, label="pub no file"),
    ],
    "documents:detail": document_cases(),
    "documents:download": document_cases(),
    "documents:version_download": document_cases(version=True),
    "documents:version_upload": [
        Case(UPLOAD_PRIVATE, method="post", kwargs=document_kwargs("project", "team"), label="no file"),
        Case(
            outcomes(403, anonymous=LOGIN, manager=200, drafter=200, staff=200),
            method="post",
            kwargs=document_kwargs("published_project", "public"),
            label="pub no file",
        ),
        Case(
            outcomes(403, anonymous=LOGIN, manager=404, drafter=404, staff=404),
            method="post",
            kwargs=document_kwargs("other_project", "public", under="published_project"),
            label="elsewhere",
        ),
        Case(outcomes(405, anonymous=LOGIN), kwargs=document_kwargs("project", "team"), label="get is refused"),
    ],
    # Dashboards
    "dashboards:portfolio": [
        Case(DASHBOARD),
        Case(DASHBOARD, data={"year": "abc", "country": "ZZ"}, label="bad filters"),
    ],
    "dashboards:project": [
        Case(FINANCE_PRIVATE, kwargs=project_slug),
        Case(FINANCE_PUBLIC, kwargs=public_slug, label="pub"),
    ],
    "dashboards:export": [
        Case(DASHBOARD, kwargs=lambda o: {"kind": "portfolio", "fmt": "csv"}, label="portfolio csv"),
        Case(DASHBOARD, kwargs=lambda o: {"kind": "transactions", "fmt": "xlsx"}, label="transactions xlsx"),
        Case(outcomes(404, anonymous=LOGIN), kwargs=lambda o: {"kind": "nothing", "fmt": "csv"}, label="unknown"),
        Case(
            outcomes(403, anonymous=LOGIN, portfolio_donor=REDIRECT, donor=REDIRECT, manager=REDIRECT, staff=REDIRECT),
            method="post",
            kwargs=lambda o: {"kind": "transactions", "fmt": "csv"},
            label="prepare as a job",
        ),
    ],
    "dashboards:export_job": [
        Case(EXPORT_OWNER, kwargs=export_job("donor", done=False)),
        Case(outcomes(405, anonymous=LOGIN), method="post", kwargs=export_job("donor", done=False)),
    ],
    "dashboards:export_download": [
        Case(EXPORT_OWNER, kwargs=export_job("donor", done=True)),
        Case(outcomes(404, anonymous=LOGIN), kwargs=export_job("donor", done=False), label="not ready"),
    ],
    # Search (dashboards/search.py): open to all; what each role finds is tested in dashboards/tests/test_search.py
    "dashboards:search": [
        Case(outcomes(200)),
        Case(outcomes(200), data={"q": "project"}, label="query"),
        Case(outcomes(200), data={"q": "remark", "kind": "comment", "project": "the-project"}, label="filtered"),
        Case(outcomes(405), method="post", data={"q": "project"}, label="post is refused"),
    ],
    # Read API (dashboards/api.py): what the pages show; an object the user may not see is 404
    "api:api-root": [Case(outcomes(200))],
    "api:schema": [Case(outcomes(200))],
    "api:docs": [Case(outcomes(200))],
    "api:project-list": [
        Case(outcomes(200)),
        Case(outcomes(405, anonymous=401), method="post", label="read only"),
    ],
    "api:project-detail": [
        Case(private_project(200), kwargs=project_slug, label="unpublished"),
        Case(outcomes(200), kwargs=public_slug, label="published"),
    ],
    "api:activity-list": [Case(outcomes(200))],
    "api:activity-detail": [
        Case(private_project(200), kwargs=lambda o: {"pk": o["activity"].pk}, label="unpublished"),
        Case(outcomes(200), kwargs=lambda o: {"pk": o["public_activity"].pk}, label="published"),
    ],
    "api:budgetline-list": [Case(outcomes(200))],
    "api:budgetline-detail": [Case(API_FINANCE_PRIVATE, kwargs=lambda o: {"pk": o["line"].pk})],
    "api:expenditure-list": [Case(outcomes(200))],
    "api:expenditure-detail": [Case(API_FINANCE_PRIVATE, kwargs=lambda o: {"pk": o["expenditure"].pk})],
    "api:edition-list": [Case(outcomes(200))],
    "api:edition-detail": [
        Case(DRAFTS, kwargs=lambda o: {"pk": o["edition"].pk}, label="draft concept"),
        Case(outcomes(200), kwargs=lambda o: {"pk": o["final_edition"].pk}, label="published final"),
    ],
    # IATI activity files: one project's as its page; every published project's for everyone
    "project_iati": [Case(VIEW_PRIVATE, kwargs=project_slug), Case(VIEW_PUBLIC, kwargs=public_slug, label="pub")],
    "iati_activities": [Case(outcomes(200))],
    # The audit trail: programme staff only
    "audit:log": [Case(STAFF_ONLY), Case(STAFF_ONLY, data={"kind": "nothing"}, label="bad filter")],
    "audit:export": [
        Case(STAFF_ONLY, kwargs=lambda o: {"fmt": "csv"}, label="csv"),
        Case(STAFF_ONLY, kwargs=lambda o: {"fmt": "xlsx"}, label="xlsx"),
        Case(outcomes(403, anonymous=LOGIN, staff=404), kwargs=lambda o: {"fmt": "pdf"}, label="unknown"),
    ],
    # Reports due across the portfolio: staff (every project) and managers (their own projects' reports)
    "portfolio_reports:overview": [
        Case(MANAGERS_AND_STAFF),
        Case(MANAGERS_AND_STAFF, data={"sort": "-due", "page": "9"}, label="sorted"),
    ],
    # Django admin: staff with a session verified by a second factor (accounts/admin_site.py; none here has
    # one, so staff too are sent to enrol); the rest of the admin namespace is guarded by admin_view
    "admin:index": [Case(outcomes(REDIRECT))],
}
