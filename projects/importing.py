"""The portfolio from a spreadsheet: one row per project, matched by its code.

A new code creates the project, a known one updates it. An empty cell leaves the current
value as it is, and partners are only ever added, never removed. Values are checked by the
model's own validation, so the reasons given for a refused row read as the project form's.

`portfolio_preview()` only reads. `portfolio_import()` validates again and then writes
everything in one transaction, or nothing at all if a single row is refused.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries as all_countries

from common.imports import import_job_close
from common.tabular import (
    Action,
    ImportPreview,
    ImportRow,
    columns_of,
    is_blank,
    parse_amount,
    parse_date,
    parse_yes_no,
    preview_to_json,
    read_stored,
    split_list,
)

from . import services
from .models import RESERVED_SLUGS, FundingInstrument, Organisation, Project, ProjectPartner

COLUMNS = [
    "code", "title", "slug", "thematic_area", "status", "planned_start", "planned_end", "actual_start",
    "actual_end", "countries", "instrument", "total_budget", "currency", "published", "contact_email",
    "implementing", "beneficiary", "funding",
]  # fmt: skip
REQUIRED_COLUMNS = ["code", "title", "planned_start", "planned_end"]
PARTNER_COLUMNS = {
    "implementing": ProjectPartner.PartnerRole.IMPLEMENTING,
    "beneficiary": ProjectPartner.PartnerRole.BENEFICIARY,
    "funding": ProjectPartner.PartnerRole.FUNDING,
}
TEXT_COLUMNS = ["code", "title", "slug", "thematic_area", "contact_email"]
DATE_COLUMNS = ["planned_start", "planned_end", "actual_start", "actual_end"]
FIELD_OF_COLUMN = {"published": "is_published"}
COLUMN_OF_FIELD = {value: key for key, value in FIELD_OF_COLUMN.items()}
SLUG_LENGTH = Project._meta.get_field("slug").max_length

COLUMN_HELP = [
    ("code", True, gettext_lazy("The project's code. A code already in the portal updates that project.")),
    ("title", True, gettext_lazy("The project's title.")),
    ("slug", False, gettext_lazy("The project's address. If empty, it is made from the title.")),
    ("thematic_area", False, gettext_lazy("For example: Capacity building for migration management.")),
    ("status", False, gettext_lazy(
        "1 to 6 (IATI codes) or Pipeline, Implementation, Finalisation, Closed, Cancelled, Suspended."
    )),
    ("planned_start", True, gettext_lazy("A date, written 2025-03-31 or 31.03.2025.")),
    ("planned_end", True, gettext_lazy("A date, not before the planned start.")),
    ("actual_start", False, gettext_lazy("A date.")),
    ("actual_end", False, gettext_lazy("A date, not before the actual start.")),
    ("countries", False, gettext_lazy("ISO country codes separated by commas, semicolons or spaces: GE; AM.")),
    ("instrument", False, gettext_lazy("The code of a funding instrument already in the portal, for example AMIF.")),
    ("total_budget", False, gettext_lazy("An amount, for example 105000.00.")),
    ("currency", False, gettext_lazy("An ISO 4217 code such as EUR (the default) or USD.")),
    ("published", False, gettext_lazy("yes or no: whether the project page is public.")),
    ("contact_email", False, gettext_lazy("An e-mail address.")),
    ("implementing", False, gettext_lazy("Implementing organisations: names or acronyms, separated by “;”.")),
    ("beneficiary", False, gettext_lazy("Beneficiary organisations, as above.")),
    ("funding", False, gettext_lazy("Funding organisations, as above.")),
]  # fmt: skip


class _Stop(Exception):
    """Not an error: leaves the import's transaction, rolling back what it wrote."""


@dataclass
class _Lookups:
    """Everything the rows refer to, read once for the whole file."""

    projects: dict[str, Project]
    instruments: dict[str, FundingInstrument]
    organisations: dict[str, list[Organisation]]
    partners: dict[tuple[int, str], list[Organisation]]
    slugs: set[str]
    statuses: dict[str, int]
    claimed_slugs: dict[str, int] = field(default_factory=dict)  # slug → line that takes it

    @classmethod
    def load(cls, rows: list[dict]) -> "_Lookups":
        codes = {row.get("code", "") for row in rows} - {""}
        projects = {p.code: p for p in Project.objects.filter(code__in=codes).select_related("instrument")}
        organisations: dict[str, list[Organisation]] = {}
        for organisation in Organisation.objects.all():
            # a file written in Russian may name its partners by their Russian names
            for name in {
                organisation.name.casefold(),
                organisation.name_ru.casefold(),
                organisation.acronym.casefold(),
            } - {""}:
                organisations.setdefault(name, []).append(organisation)
        partners: dict[tuple[int, str], list[Organisation]] = {}
        for partner in ProjectPartner.objects.filter(project__in=projects.values()).select_related("organisation"):
            partners.setdefault((partner.project_id, partner.role), []).append(partner.organisation)
        return cls(
            projects=projects,
            instruments={i.code.upper(): i for i in FundingInstrument.objects.all()},
            organisations=organisations,
            partners=partners,
            slugs=set(Project.objects.values_list("slug", flat=True)),
            statuses=_status_names(),
        )

    def organisation(self, name: str) -> tuple[Organisation | None, str]:
        """The organisation called (in English or Russian, or abbreviated) `name`, else None and why not."""
        key = name.casefold()
        by_name = [o for o in self.organisations.get(key, []) if key in (o.name.casefold(), o.name_ru.casefold())]
        found = by_name or self.organisations.get(name.casefold(), [])
        if len(found) == 1:
            return found[0], ""
        if not found:
            return None, _("There is no organisation “%(name)s” in the portal. Add it first, or correct the name.") % {
                "name": name
            }
        return None, _("“%(name)s” is the acronym of several organisations: write the full name.") % {"name": name}


def _status_names() -> dict[str, int]:
    names = {}
    for status in Project.Status:
        names[str(status.value)] = status.value
        names[status.name.casefold()] = status.value
        names[str(status.label).casefold()] = status.value
        with translation.override("en"):
            names[str(status.label).casefold()] = status.value
    return names


@dataclass
class _Plan:
    row: ImportRow
    project: Project
    fields: dict  # what to give the service: every field for a new project, the changed ones for another
    partners: list[tuple[Organisation, str]]


def portfolio_preview(*, rows: list[dict]) -> ImportPreview:
    """What importing `rows` would do, row by row. Reads only."""
    preview, _plans = _plan(rows)
    return preview


def portfolio_import(*, rows: list[dict], user, progress: Callable[[float], None] | None = None) -> ImportPreview:
    """Validates `rows` again and imports them in one transaction: all of them, or none if one is refused.

    `progress` is told the fraction done as rows are written (the first fifth: validating them)."""
    progress = progress or (lambda fraction: None)
    preview = ImportPreview()
    try:
        with transaction.atomic():
            preview, plans = _plan(rows)
            progress(0.2)
            if not preview.can_import:
                return preview
            for done, plan in enumerate(plans, start=1):
                _write(plan, user)
                if done % 50 == 0:
                    progress(0.2 + 0.8 * done / len(plans))
            preview.imported = True
    except _Stop:
        preview.imported = False
    return preview


def _write(plan: _Plan, user) -> None:
    try:
        if plan.row.action == Action.CREATE:
            project = services.project_create(user=user, **plan.fields)
        else:
            project = plan.project
            if plan.fields:
                project = services.project_update(project=project, user=user, **plan.fields)
        for organisation, role in plan.partners:
            services.partner_add(project=project, organisation=organisation, role=role)
    except ValidationError as error:  # changed since the preview, e.g. the same code just created by someone else
        _refuse_for(plan.row, error)
        raise _Stop from None


def _plan(rows: list[dict]) -> tuple[ImportPreview, list[_Plan]]:
    columns = columns_of(rows)
    preview = ImportPreview(
        missing_columns=[column for column in REQUIRED_COLUMNS if column not in columns],
        unknown_columns=[column for column in columns if column not in COLUMNS],
    )
    lookups = _Lookups.load(rows)
    lines_of_code: dict[str, list[int]] = {}
    for index, values in enumerate(rows):
        if not is_blank(values) and values.get("code"):
            lines_of_code.setdefault(values["code"], []).append(index + 2)
    plans = []
    for index, values in enumerate(rows):
        if is_blank(values):
            continue
        row = ImportRow(line=index + 2)
        preview.rows.append(row)
        for column in preview.missing_columns:
            row.refuse(_("This column is missing from the file, and every row needs it."), column)
        others = [str(line) for line in lines_of_code.get(values.get("code", ""), []) if line != row.line]
        if others:
            row.refuse(
                _("The same code is on more than one row of the file (also on line %(lines)s).")
                % {"lines": ", ".join(others)},
                "code",
            )
        plans.append(_plan_row(values, row, lookups, preview.missing_columns))
    return preview, plans


def _plan_row(values: dict, row: ImportRow, lookups: _Lookups, missing_columns: list[str]) -> _Plan:
    existing = lookups.projects.get(values.get("code", ""))
    row.label = " – ".join(
        part for part in [values.get("code", ""), values.get("title") or getattr(existing, "title", "")] if part
    )
    fields, bad_fields = _read_fields(values, row, lookups)
    partners = _read_partners(values, row, lookups)
    project = existing or Project()
    if existing is None:
        if "slug" not in fields and "slug" not in bad_fields:
            fields["slug"] = _free_slug(values.get("title") or values.get("code", ""), lookups)
    else:
        fields = _changed_fields(existing, fields, row)
        partners = [(o, role) for o, role in partners if o not in lookups.partners.get((existing.pk, role), [])]
        _partner_changes(existing, partners, row, lookups)
    if "slug" in fields:
        earlier = lookups.claimed_slugs.setdefault(fields["slug"], row.line)
        if earlier != row.line:
            row.refuse(_("Line %(line)s of the file already gives a project this address.") % {"line": earlier}, "slug")
    for name, value in fields.items():
        setattr(project, name, value)
    excluded = bad_fields | {FIELD_OF_COLUMN.get(column, column) for column in missing_columns} | {"instrument"}
    try:
        project.full_clean(exclude=sorted(excluded))
    except ValidationError as error:
        _refuse_for(row, error)
    if row.refused:
        row.action = Action.REFUSED
    elif existing is None:
        row.action = Action.CREATE
    else:
        row.action = Action.UPDATE if row.changes else Action.UNCHANGED
    return _Plan(row=row, project=project, fields=fields, partners=partners)


def _read_fields(values: dict, row: ImportRow, lookups: _Lookups) -> tuple[dict, set[str]]:
    """The model fields the row gives a value for, and those whose value could not be read."""
    fields: dict = {}
    bad: set[str] = set()

    def refuse(column, reason):
        row.refuse(reason, column)
        bad.add(FIELD_OF_COLUMN.get(column, column))

    for column in TEXT_COLUMNS:
        if values.get(column):
            fields[column] = values[column]
    if status := values.get("status"):
        if status.casefold() in lookups.statuses:
            fields["status"] = lookups.statuses[status.casefold()]
        else:
            refuse("status", _("“%(value)s” is not a status. Use 1 to 6 or a name such as Closed.") % {"value": status})
    for column in DATE_COLUMNS:
        if text := values.get(column):
            try:
                fields[column] = parse_date(text)
            except ValueError:
                refuse(
                    column, _("“%(value)s” is not a date. Write dates as 2025-03-31 or 31.03.2025.") % {"value": text}
                )
    if text := values.get("countries"):
        codes = [(code, all_countries.alpha2(code)) for code in split_list(text)]
        unknown = [code for code, alpha2 in codes if not alpha2]
        for code in unknown:
            refuse(
                "countries", _("“%(code)s” is not a country code. Use ISO codes such as BY or GE; AM.") % {"code": code}
            )
        if not unknown:
            fields["countries"] = sorted({alpha2 for _code, alpha2 in codes})
    if code := values.get("instrument"):
        instrument = lookups.instruments.get(code.upper())
        if instrument is None:
            refuse("instrument", _("There is no funding instrument with the code “%(code)s”.") % {"code": code})
        else:
            fields["instrument"] = instrument
    if text := values.get("total_budget"):
        try:
            fields["total_budget"] = parse_amount(text)
        except ValueError:
            refuse("total_budget", _("“%(value)s” is not an amount. Write amounts as 1234.56.") % {"value": text})
    if text := values.get("currency"):
        fields["currency"] = text.upper()
    if text := values.get("published"):
        try:
            fields["is_published"] = parse_yes_no(text)
        except ValueError:
            refuse("published", _("Write yes or no, not “%(value)s”.") % {"value": text})
    return fields, bad


def _read_partners(values: dict, row: ImportRow, lookups: _Lookups) -> list[tuple[Organisation, str]]:
    partners = []
    for column, role in PARTNER_COLUMNS.items():
        for name in split_list(values.get(column, ""), r";"):
            organisation, reason = lookups.organisation(name)
            if organisation is None:
                row.refuse(reason, column)
            elif (organisation, role) not in partners:
                partners.append((organisation, role))
    return partners


def _changed_fields(project: Project, fields: dict, row: ImportRow) -> dict:
    """The fields whose value differs from the project's, noted on the row as (now, after)."""
    changed = {}
    for name, value in fields.items():
        current = _current(project, name)
        new = value.pk if name == "instrument" else value
        if current != new:
            changed[name] = value
            row.changes[COLUMN_OF_FIELD.get(name, name)] = (_shown(name, getattr(project, name)), _shown(name, value))
    return changed


def _current(project: Project, name: str):
    if name == "countries":
        return sorted(country.code for country in project.countries)
    if name == "instrument":
        return project.instrument_id
    return getattr(project, name)


def _partner_changes(project: Project, added: list[tuple[Organisation, str]], row: ImportRow, lookups) -> None:
    for column, role in PARTNER_COLUMNS.items():
        new = [organisation for organisation, added_role in added if added_role == role]
        if new:
            current = [o.short_name for o in lookups.partners.get((project.pk, role), [])]
            after = current + [o.short_name for o in new]
            row.changes[column] = (", ".join(current) or "—", ", ".join(after))


def _shown(name: str, value) -> str:
    if value in (None, "", []):
        return "—"
    if name == "status":
        return str(Project.Status(value).label)
    if name == "countries":
        return ", ".join(getattr(country, "code", country) for country in value)
    if name == "is_published":
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _free_slug(title: str, lookups: _Lookups) -> str:
    """slugify(title), made unique among the portal's projects and the file's earlier rows."""
    base = slugify(title)[:SLUG_LENGTH].strip("-") or "project"
    candidate, number = base, 1
    while candidate in lookups.slugs or candidate in lookups.claimed_slugs or candidate in RESERVED_SLUGS:
        number += 1
        suffix = f"-{number}"
        candidate = base[: SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
    return candidate


def _refuse_for(row: ImportRow, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            row.refuse(message)
        return
    for name, messages in error.message_dict.items():
        column = None if name == NON_FIELD_ERRORS else COLUMN_OF_FIELD.get(name, name)
        for message in messages:
            row.refuse(message, column)


# As a background job (common.imports) ------------------------------------------------------------

JOB_KIND = "portfolio"


def import_job_write(job, progress) -> dict:
    """The work of a portfolio import job: the stored file, validated again and written (all or nothing)."""
    preview = portfolio_import(rows=read_stored(job.upload).rows, user=job.user, progress=progress)
    if preview.imported:
        import_job_close(job=job)
    return {"preview": preview_to_json(preview)}
