"""IATI 2.03 activity XML: one `iati-activity` per project, in the schema's element order.

`activities_xml(projects)` builds the whole file for any queryset of projects with a fixed
number of queries (projects, partners, budget totals, monthly spending), whatever their
number. Mapping decisions, so that a reader of the file knows what each element means:

- iati-identifier: the reporting organisation's ref, "-", the project code. Codes are checked
  at the field for the characters an identifier may hold (projects.models.validate_project_code);
  a code saved before that check has each run of other characters written as "-" (rule 1.3.13:
  no spaces, nor / & | ?), so the file stays valid.
- participating-org: partners with an IATI role (funding 1, accountable 2, extending 3,
  implementing 4). Beneficiary partners have no IATI organisation role: their country is
  reported as a recipient-country instead. A project with no such partner names the
  reporting organisation as accountable (2), as the schema needs one participating-org.
- recipient-country: the project's beneficiary countries plus the countries of its
  beneficiary partners, sharing 100% evenly (the last absorbs the rounding). With none, the
  region "998" (developing countries, unspecified) takes 100%.
- budget: the planned period cut into consecutive periods of at most twelve months (rule
  7.5.3), the amount spread over them pro rata by days, to the cent, the last period
  absorbing the rounding. Original (type 1) from the budget lines' original amounts, or the
  project's total budget when it has no lines; revised (type 2) only once a line has a
  revision. Both committed (status 2): a revision is recorded only once it is agreed.
- transaction: one commitment (type 2) of the total budget at the actual start, else the
  planned start; one expenditure (type 4) per calendar month of spending. Nothing dated
  after today is reported: no future commitment, no future spending, no future actual date.
- document-link: whatever the registered `document_link_providers` return (see there): the
  published final editions (concepts) and the public documents of the project (documents), with
  their IATI document category, every language they are written in and their date.
- result: each result of the project's framework that has indicators (objective: impact 3,
  outcome 2, output 1). Indicators carry their measure (number 1, percentage 2, yes/no 3
  nominal as 1/0, text 5 qualitative as a comment) and direction; aggregation-status 1 for
  numbers and percentages with a code shared across projects. A baseline is written when its
  year is not in the future. Periods are the reporting periods with a target or an approved
  actual (only approved values are reported), else one period over the project for a target
  set for the whole project. A value split by sex is written as the total followed by one
  target or actual per part with `dimension name="sex"` (female, male, other).
"""

import calendar
import datetime
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urljoin

from django.conf import settings
from django.db.models import Max, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from lxml import etree

from budgets.models import BudgetLine, BudgetRevision, Expenditure
from common.markdown import render_markdown_text
from projects.models import Organisation, Project, ProjectPartner
from results.models import Indicator, Result
from results.selectors import results_for_iati

IATI_VERSION = "2.03"
CONTENT_TYPE = "application/xml; charset=utf-8"
BATCH_SIZE = 100  # projects read and written at a time in the streamed file
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# IATI OrganisationType for each kind of organisation in the portal.
ORGANISATION_TYPES = {
    Organisation.Kind.NATIONAL_AUTHORITY: "10",  # Government
    Organisation.Kind.MEMBER_STATE_AUTHORITY: "10",  # Government (of a provider country)
    Organisation.Kind.EU_INSTITUTION: "15",  # Other Public Sector: how the European Commission reports itself
    Organisation.Kind.INTERNATIONAL: "40",  # Multilateral: IOM, UNHCR and other intergovernmental bodies
    Organisation.Kind.IMPLEMENTING_AGENCY: "40",  # Multilateral: ICMPD is an intergovernmental organisation
    Organisation.Kind.ACADEMIA: "80",  # Academic, Training and Research
    Organisation.Kind.PRIVATE_SECTOR: "70",  # Private Sector
}
NGO_INTERNATIONAL, NGO_NATIONAL, NGO_PARTNER_COUNTRY = "21", "22", "24"
ROLE_ACCOUNTABLE = "2"
STATUS_COMMITTED = "2"
BUDGET_ORIGINAL, BUDGET_REVISED = "1", "2"
DATE_PLANNED_START, DATE_ACTUAL_START, DATE_PLANNED_END, DATE_ACTUAL_END = "1", "2", "3", "4"
DESCRIPTION_GENERAL, DESCRIPTION_OTHER = "1", "4"
TRANSACTION_COMMITMENT, TRANSACTION_EXPENDITURE = "2", "4"
SECTOR_VOCABULARY_DAC = "1"
REGION_VOCABULARY_DAC, REGION_UNSPECIFIED = "1", "998"


# --- The hook for documents (e.g. the published final edition's PDF) --------------------


@dataclass(frozen=True)
class DocumentLink:
    """One `document-link`. `url` may be a path on the portal: it is made absolute."""

    url: str
    title: str
    category: str = "A08"  # DocumentCategory: Results, outcomes and outputs
    format: str = "application/pdf"
    language: str = "en"
    date: datetime.date | None = None
    languages: tuple[str, ...] = ()  # when a document is written in several: all of them (else `language`)


DocumentLinkProvider = Callable[[Sequence[Project]], Mapping[int, Iterable[DocumentLink]]]

document_link_providers: list[DocumentLinkProvider] = []
"""Functions that give the documents of a batch of projects, keyed by project pk.

Each is called ONCE per file with all its projects, and must run a fixed number of queries
(no query per project). The published final edition's PDF is meant to come in here:

    @register_document_link_provider
    def final_editions(projects):
        return {edition.project_id: [DocumentLink(url=..., title=...)] for edition in ...}
"""


def register_document_link_provider(provider: DocumentLinkProvider) -> DocumentLinkProvider:
    if provider not in document_link_providers:
        document_link_providers.append(provider)
    return provider


# --- Facts, read with a fixed number of queries ----------------------------------------


@dataclass
class ActivityFacts:
    project: Project
    partners: list[ProjectPartner]
    original_budget: Decimal = ZERO
    revised_budget: Decimal | None = None  # None: no line was ever revised
    monthly_spending: list[tuple[datetime.date, Decimal]] = field(default_factory=list)
    document_links: list[DocumentLink] = field(default_factory=list)
    last_updated: datetime.datetime | None = None
    results: list[Result] = field(default_factory=list)


def published_projects() -> QuerySet[Project]:
    return Project.objects.published()


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def activity_facts(projects: QuerySet[Project], *, today: datetime.date) -> list[ActivityFacts]:
    """Everything the file says about `projects`: eight queries, plus one per document provider."""
    in_file = projects.order_by().values("pk")
    newest_revision = BudgetRevision.objects.filter(line__project=OuterRef("pk")).order_by("-updated_at")
    rows = list(
        projects.select_related("instrument")
        .annotate(revised_at=Subquery(newest_revision.values("updated_at")[:1]))
        .prefetch_related(
            Prefetch(
                "partners",
                queryset=ProjectPartner.objects.select_related("organisation").order_by("role", "organisation__name"),
            )
        )
        .order_by("code")
    )
    budgets = {
        row["project"]: row
        for row in BudgetLine.objects.filter(project__in=in_file)
        .with_figures()
        .order_by()
        .values("project")
        .annotate(original=Sum("amount"), revised_total=Sum("revised"), changed=Max("updated_at"))
    }
    spending = defaultdict(list)
    spent_changed: dict[int, datetime.datetime] = {}
    monthly = (
        Expenditure.objects.filter(line__project__in=in_file, date__lte=today)
        .annotate(month=TruncMonth("date"))
        .order_by()
        .values("line__project", "month")
        .annotate(total=Sum("amount"), changed=Max("updated_at"))
        .order_by("line__project", "month")
    )
    for row in monthly:
        project_id = row["line__project"]
        spending[project_id].append((row["month"], _money(row["total"])))
        spent_changed[project_id] = max(row["changed"], spent_changed.get(project_id, row["changed"]))
    framework = results_for_iati(project_ids=[project.pk for project in rows])
    links = defaultdict(list)
    for provider in document_link_providers:
        for project_id, documents in provider(rows).items():
            links[project_id].extend(documents)

    facts = []
    for project in rows:
        partners = list(project.partners.all())
        budget = budgets.get(project.pk)
        changes = [project.updated_at, project.revised_at, spent_changed.get(project.pk)]
        changes += [partner.updated_at for partner in partners]
        changes += _results_changed(framework.get(project.pk, []))
        if budget:
            original = _money(budget["original"])
            changes.append(budget["changed"])
        else:
            original = _money(project.total_budget)
        facts.append(
            ActivityFacts(
                project=project,
                partners=partners,
                original_budget=original,
                revised_budget=_money(budget["revised_total"]) if budget and project.revised_at else None,
                monthly_spending=spending[project.pk],
                document_links=links[project.pk],
                last_updated=max(change for change in changes if change is not None),
                results=framework.get(project.pk, []),
            )
        )
    return facts


# --- Periods and shares ------------------------------------------------------------------


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def budget_periods(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """Consecutive periods of at most twelve months from `start` to `end`, each starting before it ends.

    A period that would be a single day (start equals end) is avoided by making the one
    before it eleven months long; a project of a single day has no period at all.
    """
    if end <= start:
        return []
    boundaries = [start]
    while (next_start := _add_months(start, 12 * len(boundaries))) <= end:
        boundaries.append(next_start)
    if len(boundaries) > 1 and boundaries[-1] == end:
        boundaries[-1] = _add_months(boundaries[-2], 11)
    ends = [boundary - datetime.timedelta(days=1) for boundary in boundaries[1:]] + [end]
    return list(zip(boundaries, ends, strict=True))


def spread(total: Decimal, weights: Sequence[int]) -> list[Decimal]:
    """`total` shared in proportion to `weights`, to the cent; the last share absorbs the rounding."""
    if not weights:
        return []
    whole = sum(weights)
    shares = [(total * weight / whole).quantize(CENT, rounding=ROUND_HALF_UP) for weight in weights[:-1]]
    return [*shares, total - sum(shares, ZERO)]


def _percentages(count: int) -> list[Decimal]:
    return spread(Decimal("100.00"), [1] * count)


def _number(value: Decimal) -> str:
    """A percentage without needless zeros: 100, 50, 33.33."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _iso(value: datetime.date) -> str:
    return value.isoformat()


# --- The XML ---------------------------------------------------------------------------


def reporting_org_ref() -> str:
    return settings.IATI_REPORTING_ORG_REF


IDENTIFIER_FORBIDDEN = re.compile(r"[^A-Za-z0-9._-]+")


def iati_identifier(project: Project) -> str:
    return f"{reporting_org_ref()}-{IDENTIFIER_FORBIDDEN.sub('-', project.code)}"


def organisation_type(organisation: Organisation, project: Project) -> str:
    if organisation.kind == Organisation.Kind.CIVIL_SOCIETY:
        if not organisation.country:
            return NGO_INTERNATIONAL
        return NGO_PARTNER_COUNTRY if organisation.country.code in project.countries else NGO_NATIONAL
    return ORGANISATION_TYPES.get(organisation.kind, "90")  # 90: Other


def _sub(parent, tag: str, text: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(parent, tag, {name.replace("_", "-"): value for name, value in attributes.items()})
    if text is not None:
        element.text = text
    return element


def _narrative(parent, tag: str, text: str, *, russian: str = "", **attributes) -> etree._Element:
    """`tag` with its narrative in the activity's default language (English), and a second one in
    Russian when the project has a Russian version of the text."""
    element = _sub(parent, tag, **attributes)
    _sub(element, "narrative", text)
    if russian.strip():
        _sub(element, "narrative", russian).set(XML_LANG, "ru")
    return element


def _value(parent, amount: Decimal, currency: str, value_date: datetime.date) -> None:
    _sub(parent, "value", f"{amount:.2f}", currency=currency, value_date=_iso(value_date))


def _recipient_countries(facts: ActivityFacts) -> list[str]:
    codes = [country.code for country in facts.project.countries]
    for partner in facts.partners:
        country = partner.organisation.country
        if partner.role == ProjectPartner.PartnerRole.BENEFICIARY and country and country.code not in codes:
            codes.append(country.code)
    return codes


def _participating_orgs(activity, facts: ActivityFacts) -> None:
    project = facts.project
    partners = sorted(
        (partner for partner in facts.partners if partner.iati_role_code),
        key=lambda partner: (partner.iati_role_code, partner.organisation.name),
    )
    for partner in partners:
        organisation = partner.organisation
        attributes = {"role": partner.iati_role_code, "type": organisation_type(organisation, project)}
        if organisation.iati_ref:
            attributes["ref"] = organisation.iati_ref
        _narrative(activity, "participating-org", organisation.name, russian=organisation.name_ru, **attributes)
    if not partners:
        _narrative(
            activity,
            "participating-org",
            settings.IATI_REPORTING_ORG_NAME,
            ref=reporting_org_ref(),
            type=settings.IATI_REPORTING_ORG_TYPE,
            role=ROLE_ACCOUNTABLE,
        )


def _activity_dates(activity, project: Project, today: datetime.date) -> None:
    dates = [
        (DATE_PLANNED_START, project.planned_start),
        (DATE_ACTUAL_START, project.actual_start if project.actual_start and project.actual_start <= today else None),
        (DATE_PLANNED_END, project.planned_end),
        (DATE_ACTUAL_END, project.actual_end if project.actual_end and project.actual_end <= today else None),
    ]
    for code, day in dates:
        if day:
            _sub(activity, "activity-date", type=code, iso_date=_iso(day))


def _budgets(activity, facts: ActivityFacts) -> None:
    project = facts.project
    periods = budget_periods(project.planned_start, project.planned_end)
    weights = [(end - start).days + 1 for start, end in periods]
    totals = [(BUDGET_ORIGINAL, facts.original_budget)]
    if facts.revised_budget is not None:
        totals.append((BUDGET_REVISED, facts.revised_budget))
    for budget_type, total in totals:
        if total <= 0:
            continue
        for (start, end), amount in zip(periods, spread(total, weights), strict=True):
            budget = _sub(activity, "budget", type=budget_type, status=STATUS_COMMITTED)
            _sub(budget, "period-start", iso_date=_iso(start))
            _sub(budget, "period-end", iso_date=_iso(end))
            _value(budget, amount, project.currency, start)


def _transactions(activity, facts: ActivityFacts, today: datetime.date) -> None:
    project = facts.project
    committed_on = project.actual_start or project.planned_start
    if project.total_budget > 0 and committed_on <= today:
        transaction = _sub(activity, "transaction")
        _sub(transaction, "transaction-type", code=TRANSACTION_COMMITMENT)
        _sub(transaction, "transaction-date", iso_date=_iso(committed_on))
        _value(transaction, _money(project.total_budget), project.currency, committed_on)
    for month, total in facts.monthly_spending:
        month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        day = min(month_end, today)
        transaction = _sub(activity, "transaction")
        _sub(transaction, "transaction-type", code=TRANSACTION_EXPENDITURE)
        _sub(transaction, "transaction-date", iso_date=_iso(day))
        _value(transaction, total, project.currency, day)
        _narrative(transaction, "description", f"Expenditure in {month:%B %Y}")


def _document_links(activity, facts: ActivityFacts, base_url: str) -> None:
    for document in facts.document_links:
        link = _sub(activity, "document-link", url=urljoin(base_url, document.url), format=document.format)
        _narrative(link, "title", document.title)
        _sub(link, "category", code=document.category)
        for language in document.languages or (document.language,):
            _sub(link, "language", code=language)
        if document.date:
            _sub(link, "document-date", iso_date=_iso(document.date))


SEX_DIMENSIONS = (("women", "female"), ("men", "male"), ("other", "other"))
AGGREGABLE_MEASURES = {"1", "2"}


def _results_changed(results: list[Result]) -> list[datetime.datetime]:
    changes = []
    for result in results:
        changes.append(result.updated_at)
        for indicator in result.iati_indicators:
            changes.append(indicator.updated_at)
            changes.extend(target.updated_at for target in indicator.targets.all())
    return changes


def _indicator_value(indicator: Indicator, value) -> str | None:
    if value is None or isinstance(value, str):
        return None
    return _number(Decimal(value))


def _measured(parent, tag: str, indicator: Indicator, value, parts: dict, comment: str = "") -> None:
    """A target or actual: the total, then one element per sex where the value is split."""
    element = _sub(parent, tag)
    if (number := _indicator_value(indicator, value)) is not None:
        element.set("value", number)
    text = value if isinstance(value, str) else comment
    if text and text.strip():
        _narrative(element, "comment", text)
    for name, sex in SEX_DIMENSIONS:
        if parts.get(name) is not None:
            part = _sub(parent, tag, value=_number(Decimal(parts[name])))
            _sub(part, "dimension", name="sex", value=sex)


def _indicator(result_element, indicator: Indicator, today: datetime.date) -> None:
    measure = indicator.iati_measure
    attributes = {"measure": measure}
    if measure in AGGREGABLE_MEASURES:
        attributes["ascending"] = "1" if indicator.ascending else "0"
    attributes["aggregation_status"] = "1" if measure in AGGREGABLE_MEASURES and indicator.code else "0"
    element = _sub(result_element, "indicator", **attributes)
    _narrative(element, "title", indicator.title, russian=indicator.title_ru)
    if indicator.baseline_year and indicator.baseline_year <= today.year:
        baseline = _sub(element, "baseline", year=str(indicator.baseline_year))
        if (value := _indicator_value(indicator, indicator.baseline_value)) is not None:
            baseline.set("value", value)
        if indicator.baseline_comment.strip():
            _narrative(baseline, "comment", indicator.baseline_comment)
    for row in indicator.iati_periods:
        period = _sub(element, "period")
        _sub(period, "period-start", iso_date=_iso(row.start))
        _sub(period, "period-end", iso_date=_iso(row.end))
        if row.target is not None:
            target = row.target
            value = target.text if indicator.unit == Indicator.Unit.TEXT else target.value
            parts = {name: getattr(target, name) for name, _sex in SEX_DIMENSIONS}
            _measured(period, "target", indicator, value, parts, target.comment)
        if row.actual is not None:
            _measured(period, "actual", indicator, row.actual, row.actual_parts)


def _results(activity, facts: ActivityFacts, today: datetime.date) -> None:
    for result in facts.results:
        aggregable = all(
            indicator.iati_measure in AGGREGABLE_MEASURES and indicator.code for indicator in result.iati_indicators
        )
        element = _sub(
            activity, "result", type=Result.IATI_TYPE[result.level], aggregation_status="1" if aggregable else "0"
        )
        _narrative(element, "title", result.title, russian=result.title_ru)
        description = render_markdown_text(result.description)
        if description:
            _narrative(element, "description", description, russian=render_markdown_text(result.description_ru))
        for indicator in result.iati_indicators:
            _indicator(element, indicator, today)


def activity_element(facts: ActivityFacts, *, today: datetime.date, base_url: str = "") -> etree._Element:
    project = facts.project
    activity = etree.Element("iati-activity")
    activity.set("last-updated-datetime", facts.last_updated.isoformat(timespec="seconds"))
    activity.set(XML_LANG, "en")
    activity.set("default-currency", project.currency)

    _sub(activity, "iati-identifier", iati_identifier(project))
    _narrative(
        activity, "reporting-org", settings.IATI_REPORTING_ORG_NAME,
        ref=reporting_org_ref(), type=settings.IATI_REPORTING_ORG_TYPE,
    )  # fmt: skip
    _narrative(activity, "title", project.title, russian=project.title_ru)
    _narrative(
        activity, "description", render_markdown_text(project.summary) or project.title, type=DESCRIPTION_GENERAL,
        russian=render_markdown_text(project.summary_ru) or project.title_ru,
    )  # fmt: skip
    if project.instrument:
        instrument = project.instrument
        _narrative(
            activity,
            "description",
            f"Funding instrument: {instrument.code} ({instrument.name}).",
            type=DESCRIPTION_OTHER,
        )
    _participating_orgs(activity, facts)
    _sub(activity, "activity-status", code=str(project.status))
    _activity_dates(activity, project, today)
    countries = _recipient_countries(facts)
    for code, share in zip(countries, _percentages(len(countries)), strict=True):
        _sub(activity, "recipient-country", code=code, percentage=_number(share))
    if not countries:
        _sub(activity, "recipient-region", code=REGION_UNSPECIFIED, vocabulary=REGION_VOCABULARY_DAC, percentage="100")
    _sub(activity, "sector", vocabulary=SECTOR_VOCABULARY_DAC, code=settings.IATI_DEFAULT_SECTOR, percentage="100")
    _budgets(activity, facts)
    _transactions(activity, facts, today)
    _document_links(activity, facts, base_url)
    _results(activity, facts, today)
    return activity


def activities_xml(projects: QuerySet[Project], *, base_url: str = "", today: datetime.date | None = None) -> bytes:
    """The IATI activity file (UTF-8 bytes) for `projects`, in order of their code."""
    return b"".join(activities_xml_chunks(projects, base_url=base_url, today=today))


def activities_xml_chunks(
    projects: QuerySet[Project],
    *,
    base_url: str = "",
    today: datetime.date | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[bytes]:
    """The same file in pieces, each written as soon as it is made, for a streamed response.

    Projects are read `batch_size` at a time (activity_facts' queries per batch, the batches
    taken in order of code by keyset), and each batch's activities are written out before the
    next is read: memory stays flat whatever the number of projects.
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    buffer = io.BytesIO()
    with etree.xmlfile(buffer, encoding="UTF-8") as document:
        document.write_declaration()
        with document.element(
            "iati-activities", {"version": IATI_VERSION, "generated-datetime": now.isoformat(timespec="seconds")}
        ):
            document.write("\n")
            for batch in _batches(projects, batch_size):
                for facts in activity_facts(batch, today=today):
                    document.write(activity_element(facts, today=today, base_url=base_url), pretty_print=True)
                document.flush()
                yield _take(buffer)
    document_end = _take(buffer)
    yield document_end + b"\n"


def _batches(projects: QuerySet[Project], size: int) -> Iterator[QuerySet[Project]]:
    """`projects` in order of code, `size` at a time; each batch a queryset of its projects only."""
    ordered = projects.order_by("code")
    last_code = None
    while True:
        page = ordered if last_code is None else ordered.filter(code__gt=last_code)
        codes = list(page.values_list("code", flat=True)[:size])
        if not codes:
            return
        yield Project.objects.filter(code__in=codes)
        if len(codes) < size:
            return
        last_code = codes[-1]


def _take(buffer: io.BytesIO) -> bytes:
    data = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return data
