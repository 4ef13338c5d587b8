import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects.models import Membership, Organisation, Project, ProjectPartner, Role
from projects.tests.factories import FundingInstrumentFactory, OrganisationFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def project_form(**overrides):
    data = {
        "code": "MPF-NEW-01",
        "slug": "new-project",
        "title": "A new project",
        "thematic_area": "Capacity building for migration management",
        "summary": "What it does.",
        "status": "2",
        "planned_start": "2026-01-01",
        "planned_end": "2026-12-31",
        "countries": ["BY"],
        "instrument": FundingInstrumentFactory().pk,
        "total_budget": "105000.00",
        "currency": "EUR",
        "contact_email": "mpf@example.org",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_staff_creates_a_project(client_for):
    response = client_for("staff").post("/projects/new/", project_form())
    assert response.status_code == 302
    project = Project.objects.get(code="MPF-NEW-01")
    assert project.total_budget == 105000
    assert [country.code for country in project.countries] == ["BY"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"planned_end": "2025-01-01"}, "planned_end"),
        ({"actual_start": "2026-05-01", "actual_end": "2026-04-01"}, "actual_end"),
        ({"total_budget": "-5"}, "total_budget"),
        ({"total_budget": "lots"}, "total_budget"),
        ({"currency": "XYZ"}, "currency"),
        ({"slug": "new"}, "slug"),
        ({"slug": "Not a slug!"}, "slug"),
    ],
)
def test_bad_project_input_is_refused_at_the_field(client_for, overrides, field):
    response = client_for("staff").post("/projects/new/", project_form(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Project.objects.filter(code="MPF-NEW-01").exists()


def test_duplicate_slug_is_refused_at_the_field(client_for, project):
    response = client_for("staff").post("/projects/new/", project_form(slug=project.slug))
    assert response.context["form"].errors["slug"]


def test_service_refuses_end_before_start_even_without_a_form(staff_user):
    import datetime

    with pytest.raises(ValidationError) as error:
        services.project_create(
            user=staff_user, code="X-1", slug="x-1", title="X",
            planned_start=datetime.date(2026, 2, 1), planned_end=datetime.date(2026, 1, 1),
        )  # fmt: skip
    assert "planned_end" in error.value.message_dict


def test_manager_edits_their_project_and_extra_fields_are_ignored(client_for, project):
    data = project_form(code=project.code, slug=project.slug, title="Renamed")
    data["id"] = 999
    response = client_for("manager").post(f"/projects/{project.slug}/edit/", data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Renamed"
    assert project.pk != 999


def test_manager_cannot_edit_a_project_they_do_not_manage(client_for, other_project):
    response = client_for("manager").post(f"/projects/{other_project.slug}/edit/", project_form(title="Taken over"))
    assert response.status_code == 404
    other_project.refresh_from_db()
    assert other_project.title != "Taken over"


def test_drafter_may_not_edit_and_nothing_changes(client_for, project):
    response = client_for("drafter").post(f"/projects/{project.slug}/edit/", project_form(title="Changed"))
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.title == "The project"


def test_partner_added_twice_with_the_same_role_is_refused(client_for, project):
    icmpd = OrganisationFactory(name="ICMPD")
    client = client_for("manager")
    assert (
        client.post(
            f"/projects/{project.slug}/partners/", {"organisation": icmpd.pk, "role": "implementing"}
        ).status_code
        == 302
    )
    response = client.post(f"/projects/{project.slug}/partners/", {"organisation": icmpd.pk, "role": "implementing"})
    assert response.status_code == 200
    assert "already a partner" in str(response.context["form"].errors["organisation"])
    assert ProjectPartner.objects.filter(project=project).count() == 1


def test_public_page_says_implemented_by_on_behalf_of(client, published_project):
    published_project.status = Project.Status.CLOSED
    published_project.save()
    services.partner_add(
        project=published_project,
        organisation=OrganisationFactory(name="International Centre", acronym="ICMPD"),
        role="implementing",
    )
    services.partner_add(
        project=published_project, organisation=OrganisationFactory(name="Republic of Belarus"), role="beneficiary"
    )
    page = client.get(published_project.get_absolute_url()).content.decode()
    assert "This MPF project was implemented by ICMPD on behalf of the Republic of Belarus." in page


def test_manager_adds_changes_and_removes_a_member(client_for, project):
    newcomer = UserFactory(username="newcomer")
    client = client_for("manager")
    assert (
        client.post(f"/projects/{project.slug}/members/", {"username": "newcomer", "role": "reviewer"}).status_code
        == 302
    )
    membership = Membership.objects.get(project=project, user=newcomer)
    assert membership.role == Role.REVIEWER
    client.post(f"/projects/{project.slug}/members/{membership.pk}/", {"action": "change", "role": "drafter"})
    membership.refresh_from_db()
    assert membership.role == Role.DRAFTER
    client.post(f"/projects/{project.slug}/members/{membership.pk}/", {"action": "remove"})
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_adding_an_unknown_user_is_refused_at_the_field(client_for, project):
    response = client_for("manager").post(
        f"/projects/{project.slug}/members/", {"username": "nobody", "role": "reviewer"}
    )
    assert response.context["form"].errors["username"]


def test_membership_of_another_project_cannot_be_changed_through_this_one(client_for, project, other_project, users):
    foreign = Membership.objects.get(project=other_project, user=users["other_drafter"])
    response = client_for("manager").post(f"/projects/{project.slug}/members/{foreign.pk}/", {"action": "remove"})
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_history_shows_who_changed_which_fact(client_for, project, users):
    client = client_for("manager")
    client.post(f"/projects/{project.slug}/edit/", project_form(code=project.code, slug=project.slug, title="Renamed"))
    page = client.get(f"/projects/{project.slug}/history/").content.decode()
    assert "manager" in page
    assert "The project" in page and "Renamed" in page


@pytest.mark.parametrize(
    ("query", "expected", "hidden"),
    [
        ("status=4", ["Closed one"], ["Open one"]),
        ("country=GE", ["Open one"], ["Closed one"]),
        ("q=closed", ["Closed one"], ["Open one"]),
        ("year=2019", ["Closed one"], ["Open one"]),
        ("instrument=ISF", ["Open one"], ["Closed one"]),
    ],
)
def test_project_list_filters(client, query, expected, hidden):
    import datetime

    ProjectFactory(title="Closed one", status=Project.Status.CLOSED, is_published=True, countries=["BY"],
                   planned_start=datetime.date(2019, 2, 1), planned_end=datetime.date(2020, 2, 29))  # fmt: skip
    ProjectFactory(title="Open one", status=Project.Status.IMPLEMENTATION, is_published=True, countries=["GE"],
                   instrument=FundingInstrumentFactory(code="ISF"))  # fmt: skip
    page = client.get(f"/projects/?{query}").content.decode()
    for title in expected:
        assert title in page
    for title in hidden:
        assert title not in page


@pytest.mark.parametrize("query", ["year=abc", "country=ZZ", "status=99", "instrument=NOPE"])
def test_bad_filter_values_are_reported_not_a_server_error(client, published_project, query):
    response = client.get(f"/projects/?{query}")
    assert response.status_code == 200
    assert "This filter was ignored." in response.content.decode()
    assert published_project.title in response.content.decode()


# --- faster set-up: slug from the title, partners on the create form, the country picker ---------


def partner_rows(*rows, total=3):
    """The create form's partner rows: (organisation id, role) pairs, the rest left empty."""
    data = {"partners-TOTAL_FORMS": str(total), "partners-INITIAL_FORMS": "0", "partners-MAX_NUM_FORMS": "50"}
    for index, (organisation, role) in enumerate(rows):
        data[f"partners-{index}-organisation"] = str(organisation)
        data[f"partners-{index}-role"] = role
    return data


def test_an_empty_slug_is_made_from_the_title(client_for):
    response = client_for("staff").post(
        "/projects/new/", project_form(slug="", title="Support to the Concept of Migration Policy: Belarus")
    )
    assert response.status_code == 302
    project = Project.objects.get(code="MPF-NEW-01")
    assert project.slug == "support-to-the-concept-of-migration-policy-belarus"
    assert response["Location"] == f"/projects/{project.slug}/"


def test_a_slug_made_from_the_title_is_unique_and_never_reserved(client_for):
    ProjectFactory(slug="labour-mobility")
    ProjectFactory(slug="labour-mobility-2")
    client = client_for("staff")
    client.post("/projects/new/", project_form(slug="", title="Labour mobility"))
    assert Project.objects.get(code="MPF-NEW-01").slug == "labour-mobility-3"
    client.post("/projects/new/", project_form(code="MPF-NEW-02", slug="", title="New"))
    assert Project.objects.get(code="MPF-NEW-02").slug == "new-2"  # /projects/new/ is the create form
    client.post("/projects/new/", project_form(code="MPF-NEW-03", slug="", title="Миграционная политика"))
    assert Project.objects.get(code="MPF-NEW-03").slug == "mpf-new-03"  # no Latin letters: from the code


def test_a_typed_slug_is_kept(client_for):
    client_for("staff").post("/projects/new/", project_form(slug="my-own-slug", title="Something else"))
    assert Project.objects.get(code="MPF-NEW-01").slug == "my-own-slug"


def test_the_edit_form_still_needs_a_slug(client_for, project):
    response = client_for("manager").get(f"/projects/{project.slug}/edit/")
    assert response.context["form"].fields["slug"].required
    assert "partners" not in response.context


def test_staff_creates_a_project_with_its_partners(client_for):
    icmpd, belarus = OrganisationFactory(name="ICMPD"), OrganisationFactory(name="Republic of Belarus")
    rows = partner_rows((icmpd.pk, ProjectPartner.PartnerRole.IMPLEMENTING),
                        (belarus.pk, ProjectPartner.PartnerRole.BENEFICIARY), total=4)  # fmt: skip
    response = client_for("staff").post("/projects/new/", {**project_form(), **rows})
    assert response.status_code == 302
    project = Project.objects.get(code="MPF-NEW-01")
    assert set(project.partners.values_list("organisation__name", "role")) == {
        ("ICMPD", ProjectPartner.PartnerRole.IMPLEMENTING),
        ("Republic of Belarus", ProjectPartner.PartnerRole.BENEFICIARY),
    }


@pytest.mark.parametrize("problem", ["no role", "twice", "unknown organisation"])
def test_a_bad_partner_row_keeps_the_project_from_being_created(client_for, problem):
    icmpd = OrganisationFactory(name="ICMPD")
    implementing = ProjectPartner.PartnerRole.IMPLEMENTING
    rows = {
        "no role": partner_rows((icmpd.pk, "")),
        "twice": partner_rows((icmpd.pk, implementing), (icmpd.pk, implementing)),
        "unknown organisation": partner_rows((icmpd.pk + 1000, implementing)),
    }[problem]
    response = client_for("staff").post("/projects/new/", {**project_form(), **rows})
    assert response.status_code == 200
    assert not response.context["partners"].is_valid()
    assert not Project.objects.filter(code="MPF-NEW-01").exists()
    assert not ProjectPartner.objects.exists()


def test_the_create_form_offers_empty_partner_rows_and_the_country_checkboxes(client_for):
    OrganisationFactory(name="ICMPD")
    content = client_for("staff").get("/projects/new/").content.decode()
    for index in range(3):  # the rows a browser without JavaScript fills in
        assert f'name="partners-{index}-organisation"' in content
    assert 'name="partners-3-organisation"' not in content
    assert 'data-slug-from="id_title"' in content
    assert content.count('type="checkbox" name="countries"') == 250
    assert 'value="XK"' in content  # Kosovo


def test_the_edit_form_lists_the_chosen_countries_and_ticks_them(client_for, project):
    project.countries = ["BY", "UA"]
    project.save()
    content = client_for("manager").get(f"/projects/{project.slug}/edit/").content.decode()
    chosen = content.split("data-chosen-list")[1].split("</ul>")[0]
    assert "Belarus" in chosen and "Ukraine" in chosen and "Georgia" not in chosen
    assert 'value="BY" id="id_countries_BY" checked' in content
    assert 'value="GE" id="id_countries_GE">' in content
    response = client_for("manager").post(
        f"/projects/{project.slug}/edit/",
        {**project_form(slug=project.slug, code=project.code), "countries": ["GE", "XK"]},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert sorted(country.code for country in project.countries) == ["GE", "XK"]


def test_the_partner_rows_read_the_organisations_once(client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    icmpd = OrganisationFactory(name="ICMPD")
    OrganisationFactory(name="Republic of Belarus")
    client = client_for("staff")
    rows = partner_rows((icmpd.pk, ""), total=10)  # a bad row: the form comes back with all ten rows
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/projects/new/", {**project_form(), **rows})
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count(">Republic of Belarus</option>") == 11  # ten rows and the template for another
    assert f'<option value="{icmpd.pk}" selected>ICMPD</option>' in content  # what was chosen is kept
    organisation_table = Organisation._meta.db_table
    reads = [q["sql"] for q in queries.captured_queries if f'FROM "{organisation_table}"' in q["sql"]]
    assert len(reads) == 2  # the rows' list, and the chosen organisation checked
