"""The section page carries one disposition form per comment: it must not grow with the section's history."""

import pytest

from concepts import services
from concepts.models import Comment
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def section(project, users):
    concept = ConceptFactory(project=project)
    section = section_with_version(concept, title="Asylum", body="Version 1.", author=users["drafter"])
    for number in range(2, 6):
        services.section_save(section=section, base_number=number - 1, title="Asylum", body=f"Version {number}.",
                              user=users["drafter"])  # fmt: skip
    section.refresh_from_db()
    return section


def _comment(section, author, number=1):
    version = section.versions.get(number=number)
    return Comment.objects.create(section=section, version=version, author=author, body="Add legal aid.")


def _save_more(section, user, count):
    head = section.versions.order_by("-number").first().number
    for number in range(head + 1, head + count + 1):
        services.section_save(section=section, base_number=number - 1, title="Asylum", body=f"Version {number}.",
                              user=user)  # fmt: skip


def _page(client, section):
    return client.get(f"/concepts/{section.concept_id}/sections/{section.pk}/").content.decode()


def test_the_section_page_does_not_grow_with_the_number_of_versions(client_for, section, users):
    for _ in range(5):
        _comment(section, users["reviewer"])
    client = client_for("drafter")
    _save_more(section, users["drafter"], 20)
    before = _page(client, section)
    _save_more(section, users["drafter"], 60)
    after = _page(client, section)
    assert before.count("<option") == after.count("<option")
    assert abs(len(after) - len(before)) < 500  # version numbers gain a digit; nothing else changes


def test_only_versions_since_the_comment_are_offered(client_for, section, users):
    comment = _comment(section, users["reviewer"], number=4)
    page = _page(client_for("drafter"), section)
    form = page[page.index(f'id="incorporated-{comment.pk}"') :]
    form = form[: form.index("</select>")]
    assert ">v5 –" in form and ">v4 –" in form and ">v3 –" not in form


def test_an_older_version_is_given_by_its_number(client_for, section, users):
    comment = _comment(section, users["reviewer"])
    _save_more(section, users["drafter"], 20)  # version 2 is no longer offered in the list
    url = f"/concepts/{section.concept_id}/comments/{comment.pk}/disposition/"
    response = client_for("drafter").post(url, {"disposition": "incorporated", "version_number": "2"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.disposition, comment.incorporated_in.number) == ("incorporated", 2)


def test_a_version_number_the_section_does_not_have_is_refused_at_the_field(client_for, section, users):
    comment = _comment(section, users["reviewer"])
    url = f"/concepts/{section.concept_id}/comments/{comment.pk}/disposition/"
    response = client_for("drafter").post(url, {"disposition": "incorporated", "version_number": "99"})
    assert response.status_code == 200
    assert "This section has no version 99." in response.content.decode()
    comment.refresh_from_db()
    assert comment.disposition == "open"


@pytest.mark.parametrize(("role", "status"), [("reviewer", 403), ("donor", 404), ("outsider", 404)])
def test_a_disposition_by_version_number_is_refused_to_those_who_may_not_draft(
    client_for, section, users, role, status
):
    comment = _comment(section, users["reviewer"])
    url = f"/concepts/{section.concept_id}/comments/{comment.pk}/disposition/"
    response = client_for(role).post(url, {"disposition": "incorporated", "version_number": "2"})
    assert response.status_code == status
    comment.refresh_from_db()
    assert comment.disposition == "open"
