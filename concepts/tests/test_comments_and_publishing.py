import csv
import datetime
import io

import lxml.html
import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from activities.tests.factories import ActivityFactory
from concepts import services
from concepts.models import Comment, Concept
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def concept(project):
    return ConceptFactory(project=project)


@pytest.fixture
def section(concept, users):
    return section_with_version(concept, title="Asylum", body="Applications are examined.", author=users["drafter"])


def html(response):
    return lxml.html.fromstring(response.content.decode())


def test_a_reply_is_shown_under_the_comment_it_answers(client_for, concept, section, users):
    comment = services.comment_add(section=section, version=section.head, author=users["manager"], body="Too vague.")
    client = client_for("reviewer")
    response = client.post(
        f"/concepts/{concept.pk}/sections/{section.pk}/comments/",
        {"parent_id": comment.pk, "version_number": 1, "body": "Agreed, name the time limits."},
    )
    assert response.status_code == 302
    reply = Comment.objects.get(parent=comment)
    assert response.url == f"/concepts/{concept.pk}/sections/{section.pk}/#comment-{reply.pk}"
    assert (reply.author, reply.section, reply.version) == (users["reviewer"], section, section.head)

    page = html(client.get(f"/concepts/{concept.pk}/sections/{section.pk}/"))
    shown = page.xpath(f'//article[@id="comment-{comment.pk}"]//div[contains(@class, "reply")]')
    assert [element.get("id") for element in shown] == [f"comment-{reply.pk}"]
    assert "reviewer replied on" in shown[0].text_content()
    assert "Agreed, name the time limits." in shown[0].text_content()
    assert [a.get("id") for a in page.xpath('//section[@id="comments"]//article')] == [f"comment-{comment.pk}"]


def test_a_reply_to_a_reply_is_refused_and_nothing_is_saved(client_for, concept, section, users):
    comment = services.comment_add(section=section, version=section.head, author=users["manager"], body="Too vague.")
    reply = services.comment_add(section=section, version=section.head, author=users["drafter"], body="Why?",
                                 parent=comment)  # fmt: skip
    response = client_for("reviewer").post(
        f"/concepts/{concept.pk}/sections/{section.pk}/comments/",
        {"parent_id": reply.pk, "version_number": 1, "body": "Because."},
    )
    assert response.status_code == 404
    assert list(Comment.objects.order_by("pk").values_list("body", flat=True)) == ["Too vague.", "Why?"]


@pytest.fixture
def matrix(concept, section, users):
    """Four top-level comments on two sections, from two activities and two organisations, and a reply."""
    other_section = section_with_version(concept, title="Integration", body="Courses.", author=users["drafter"],
                                         position=2)  # fmt: skip
    mission = ActivityFactory(project=concept.project, title="Fact-finding mission")
    consultation = ActivityFactory(project=concept.project, title="Two-day consultation")
    unhcr = OrganisationFactory(name="UNHCR office")
    iom = OrganisationFactory(name="IOM office")

    def add(on, body, **fields):
        return services.comment_add(section=on, version=on.head, author=users["reviewer"], body=body, **fields)

    time_limits = add(section, "Set time limits.", is_recommendation=True, source_activity=mission,
                      source_organisation=unhcr)  # fmt: skip
    legal_aid = add(section, "Free legal aid.", is_recommendation=True, source_activity=consultation,
                    source_organisation=iom)  # fmt: skip
    services.comment_set_disposition(comment=legal_aid, disposition="declined", reason="Too costly.",
                                     user=users["drafter"])  # fmt: skip
    courses = add(other_section, "Free courses.", is_recommendation=True, source_activity=mission,
                  source_organisation=iom)  # fmt: skip
    services.comment_set_disposition(comment=courses, disposition="accepted", user=users["drafter"])
    question = add(other_section, "Who teaches?")
    add(section, "A reply.", parent=time_limits)
    return {
        "section": section,
        "other_section": other_section,
        "mission": mission,
        "consultation": consultation,
        "unhcr": unhcr,
        "iom": iom,
        "time_limits": time_limits,
        "legal_aid": legal_aid,
        "courses": courses,
        "question": question,
    }


MATRIX_FILTERS = [
    pytest.param(lambda m: {}, ["time_limits", "legal_aid", "courses", "question"], id="no-filter"),
    pytest.param(lambda m: {"disposition": "open"}, ["time_limits", "question"], id="status"),
    pytest.param(lambda m: {"activity": m["mission"].pk}, ["time_limits", "courses"], id="activity"),
    pytest.param(lambda m: {"organisation": m["iom"].pk}, ["legal_aid", "courses"], id="organisation"),
    pytest.param(lambda m: {"section": m["other_section"].pk}, ["courses", "question"], id="section"),
    pytest.param(lambda m: {"activity": m["mission"].pk, "disposition": "accepted"}, ["courses"], id="combined"),
]


@pytest.mark.parametrize(("query", "expected"), MATRIX_FILTERS)
def test_each_filter_of_the_disposition_matrix_narrows_its_rows(client_for, concept, matrix, query, expected):
    page = html(client_for("manager").get(f"/concepts/{concept.pk}/dispositions/", query(matrix)))
    links = page.xpath("//table//tbody/tr/td[1]/a/@href")
    assert [link.rsplit("#", 1)[1] for link in links] == [f"comment-{matrix[key].pk}" for key in expected]


@pytest.mark.parametrize(("query", "expected"), MATRIX_FILTERS)
def test_the_csv_export_of_the_disposition_matrix_honours_the_filters(client_for, concept, matrix, query, expected):
    response = client_for("manager").get(f"/concepts/{concept.pk}/dispositions.csv", query(matrix))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][1] == "comment_id"
    assert [int(row[1]) for row in rows[1:]] == [matrix[key].pk for key in expected]


@pytest.mark.parametrize(("query", "expected"), MATRIX_FILTERS)
def test_the_excel_export_of_the_disposition_matrix_honours_the_filters(client_for, concept, matrix, query, expected):
    response = client_for("manager").get(f"/concepts/{concept.pk}/dispositions.xlsx", query(matrix))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][1] == "comment_id"
    assert [row[1] for row in rows[1:]] == [matrix[key].pk for key in expected]


def test_the_disposition_matrix_lists_nested_sections_in_reading_order(client_for, concept, users):
    one = services.section_add(concept=concept, title="One", body="a", user=users["manager"])
    two = services.section_add(concept=concept, title="Two", body="b", user=users["manager"])
    one_one = services.section_add(concept=concept, title="One point one", body="c", parent=one, user=users["manager"])
    for section in (two, one_one, one):  # written in another order than they are read
        services.comment_add(section=section, version=section.head, author=users["reviewer"], body=section.head.title)
    page = html(client_for("manager").get(f"/concepts/{concept.pk}/dispositions/"))
    assert [cell.text_content().strip() for cell in page.xpath("//table//tbody/tr/td[1]")] == [
        "1 One", "1.1 One point one", "2 Two"
    ]  # fmt: skip
    response = client_for("manager").get(f"/concepts/{concept.pk}/dispositions.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["1 One", "1.1 One point one", "2 Two"]


def test_the_disposition_matrix_download_links_carry_the_filters(client_for, concept, matrix):
    page = html(client_for("manager").get(f"/concepts/{concept.pk}/dispositions/", {"disposition": "declined"}))
    assert page.xpath('//a[text()="Download CSV"]/@href') == [
        f"/concepts/{concept.pk}/dispositions.csv?disposition=declined"
    ]
    assert page.xpath('//a[text()="Download Excel"]/@href') == [
        f"/concepts/{concept.pk}/dispositions.xlsx?disposition=declined"
    ]


def test_an_activity_of_another_project_is_an_ignored_filter_of_the_matrix(client_for, concept, matrix, other_project):
    foreign = ActivityFactory(project=other_project)
    response = client_for("manager").get(f"/concepts/{concept.pk}/dispositions/", {"activity": foreign.pk})
    page = html(response)
    assert "This filter was ignored." in page.xpath('//main//form[@method="get"]')[0].text_content()
    assert len(page.xpath("//table//tbody/tr")) == 4


def test_a_recommendation_raised_at_another_projects_activity_is_refused_at_the_field(
    client_for, concept, section, other_project
):
    foreign = ActivityFactory(project=other_project, title="Someone else's workshop")
    response = client_for("reviewer").post(
        f"/concepts/{concept.pk}/sections/{section.pk}/comments/",
        {"version_number": 1, "body": "Add time limits.", "is_recommendation": "on", "source_activity": foreign.pk},
    )
    assert response.status_code == 200
    field = html(response).xpath('//*[@id="id_source_activity"]')[0]
    assert "is-invalid" in field.get("class")
    assert "Select a valid choice" in response.content.decode()
    assert list(response.context["comment_form"].errors) == ["source_activity"]
    assert not Comment.objects.exists()


def test_the_service_refuses_a_source_activity_of_another_project(section, users, other_project):
    foreign = ActivityFactory(project=other_project)
    with pytest.raises(ValidationError) as error:
        services.comment_add(section=section, version=section.head, author=users["reviewer"], body="x",
                             is_recommendation=True, source_activity=foreign)  # fmt: skip
    assert error.value.message_dict == {"source_activity": ["Choose an activity of this project."]}
    assert not Comment.objects.exists()


def freeze(concept, name, *, is_final, user):
    return services.edition_create(concept=concept, name=name, date=datetime.date(2020, 2, 25), is_final=is_final,
                                   user=user)  # fmt: skip


def test_a_published_concept_is_public_and_a_draft_is_not(client_for, published_project, users):
    published = ConceptFactory(project=published_project, title="Migration policy concept")
    section_with_version(published, title="Asylum", body="Protection for all.", author=users["drafter"])
    earlier = freeze(published, "First advanced draft", is_final=False, user=users["manager"])
    final = freeze(published, "Final draft", is_final=True, user=users["manager"])
    for _step in range(3):
        services.concept_advance_status(concept=published)
    draft = ConceptFactory(project=published_project, title="Labour migration concept")
    draft_section = section_with_version(draft, title="Work permits", body="Secret text.", author=users["drafter"])
    draft_final = freeze(draft, "Final draft", is_final=True, user=users["manager"])
    client = client_for("anonymous")

    documents = html(client.get("/projects/public-project/")).xpath(
        '//section[@aria-labelledby="documents-heading"]//ul//a'
    )
    assert [(a.get("href"), a.text_content()) for a in documents] == [
        (f"/concepts/{published.pk}/", "Migration policy concept")
    ]
    listed = html(client.get("/projects/public-project/concepts/")).xpath('//ul[contains(@class, "list-group")]//a')
    assert [a.text_content() for a in listed] == ["Migration policy concept"]

    response = client.get(f"/concepts/{published.pk}/")
    assert response.status_code == 302
    assert response.url == f"/concepts/{published.pk}/editions/{final.pk}/"
    edition_page = client.get(response.url)
    assert edition_page.status_code == 200
    assert "Protection for all." in edition_page.content.decode()
    assert client.get(f"/concepts/{published.pk}/editions/{earlier.pk}/").status_code == 404

    assert client.get(f"/concepts/{draft.pk}/").status_code == 404
    assert client.get(f"/concepts/{draft.pk}/sections/{draft_section.pk}/").status_code == 404
    assert client.get(f"/concepts/{draft.pk}/editions/{draft_final.pk}/").status_code == 404
    assert client.get(f"/concepts/{draft.pk}/dispositions/").status_code == 404
    edit = client.get(f"/concepts/{draft.pk}/sections/{draft_section.pk}/edit/")
    assert edit.status_code == 302
    assert edit.url.startswith("/accounts/login/?next=")


def test_a_new_concept_starts_in_drafting_whatever_status_is_posted(client_for, project):
    response = client_for("manager").post(
        "/projects/the-project/concepts/", {"title": "Return policy", "language": "en", "status": "published"}
    )
    concept = Concept.objects.get()
    assert response.status_code == 302 and response.url == f"/concepts/{concept.pk}/"
    assert (concept.title, concept.status) == ("Return policy", Concept.Status.DRAFTING)
