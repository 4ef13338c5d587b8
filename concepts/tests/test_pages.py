import datetime

import pytest

from concepts import services
from concepts.comparison import Snapshot, compare_snapshots
from concepts.models import Comment, Section, SectionVersion
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def concept(project):
    return ConceptFactory(project=project)


def test_editions_comparison_shows_added_removed_renamed_moved_and_changed_sections(client_for, concept, users):
    drafter, manager = users["drafter"], users["manager"]
    intro = section_with_version(concept, title="Introduction", body="Old aims.", author=drafter, position=1)
    scope = section_with_version(concept, title="Scope", body="Same text.", author=drafter, position=2)
    dropped = section_with_version(concept, title="Annex", body="Gone later.", author=drafter, position=3)
    first = services.edition_create(concept=concept, name="First advanced draft", date=datetime.date(2020, 1, 15),
                                    is_final=False, user=manager)  # fmt: skip
    services.section_save(section=intro, base_number=1, title="Introduction", body="New aims.", user=drafter)
    services.section_save(section=scope, base_number=1, title="Scope of the Concept", body="Same text.", user=drafter)
    services.section_move(section=scope, direction="up")
    services.section_remove(section=dropped)
    services.section_add(concept=concept, title="Monitoring", body="Yearly reports.", user=drafter)
    page = client_for("reviewer").get(f"/concepts/{concept.pk}/compare/?from={first.pk}&to=draft").content.decode()
    assert "2 changed, 1 added, 1 removed, 0 unchanged." in page
    assert "<del>Old</del>" in page and "<ins>New</ins>" in page
    assert "renamed from “Scope”" in page
    assert "moved from 2" in page and "moved from 1" not in page
    assert "Sections moved: 1; renamed: 1." in page
    assert "Monitoring" in page and "Annex" in page


def _snapshot(label, *entries):
    """entries: (section id, level), in reading order; titles and bodies do not change."""
    return Snapshot(label=label, entries={sid: (str(sid), level, f"S{sid}", "text") for sid, level in entries})


def test_a_section_moved_past_ten_others_is_the_only_one_marked_moved():
    old = _snapshot("old", *[(sid, 1) for sid in range(1, 12)])
    new = _snapshot("new", *[(sid, 1) for sid in [*range(2, 12), 1]])
    assert [c.section_id for c in compare_snapshots(old, new) if c.moved] == [1]
    back = compare_snapshots(new, old)
    assert [c.section_id for c in back if c.moved] == [1]


def test_a_section_put_under_another_parent_is_moved_even_in_the_same_order():
    old = _snapshot("old", (1, 1), (2, 1), (3, 2))
    new = _snapshot("new", (1, 1), (2, 2), (3, 3))  # 2 now belongs to 1; 3 still belongs to 2
    assert {c.section_id for c in compare_snapshots(old, new) if c.moved} == {2}
    assert not any(c.moved for c in compare_snapshots(old, old))


def test_comparing_with_an_unknown_edition_is_not_found(client_for, concept, users):
    section_with_version(concept, author=users["drafter"])
    assert client_for("reviewer").get(f"/concepts/{concept.pk}/compare/?from=999&to=draft").status_code == 404


def _big_concept(concept, users, *, sections=50, versions=100, comments=500):
    author = users["drafter"]
    made = []
    for position in range(1, sections + 1):
        section = Section.objects.create(concept=concept, position=position)
        SectionVersion.objects.bulk_create(
            SectionVersion(
                section=section,
                language="en",
                number=n,
                title=f"Section {position}",
                body=f"Text {n} " * 20,
                author=author,
            )  # fmt: skip
            for n in range(1, versions + 1)
        )
        section.head = section.versions.get(number=versions)
        section.save(update_fields=["head"])
        made.append(section)
    Comment.objects.bulk_create(
        Comment(
            section=made[n % sections],
            version=made[n % sections].head,
            author=users["reviewer"],
            body=f"c{n}",
            is_recommendation=n % 2 == 0,
        )  # fmt: skip
        for n in range(comments)
    )
    return made


def test_concept_page_history_and_matrix_run_a_fixed_number_of_queries(
    client_for, concept, users, django_assert_max_num_queries
):
    sections = _big_concept(concept, users)
    client = client_for("manager")
    pages = [
        f"/concepts/{concept.pk}/",
        f"/concepts/{concept.pk}/sections/{sections[0].pk}/history/",
        f"/concepts/{concept.pk}/sections/{sections[0].pk}/",
        f"/concepts/{concept.pk}/dispositions/",
        f"/concepts/{concept.pk}/sections/{sections[0].pk}/compare/?from=1&to=100",
    ]
    for url in pages:
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200, url


def test_cached_section_html_never_shows_another_texts_under_a_reused_id(client_for, concept, users):
    section = section_with_version(concept, title="Asylum", body="Original wording.", author=users["drafter"])
    url = f"/concepts/{concept.pk}/sections/{section.pk}/"
    assert "Original wording." in client_for("reviewer").get(url).content.decode()
    # A database recreated under a cache that outlived it: same ids, other text.
    SectionVersion.objects.filter(pk=section.head_id).update(body="Different wording.")
    page = client_for("reviewer").get(url).content.decode()
    assert "Different wording." in page and "Original wording." not in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ['aria-label="Compare from version 2"', 'aria-label="Compare to version 2"', ">v2</a>"]),
        ("ru", ['aria-label="Сравнить от версии 2"', 'aria-label="Сравнить до версии 2"', ">версия 2</a>"]),
    ],
)
def test_history_rows_name_their_version_in_the_readers_language(
    client_for, concept, users, settings, language, expected
):
    section = section_with_version(concept, title="Scope", body="First.", author=users["drafter"])
    services.section_save(section=section, base_number=1, title="Scope", body="Second.", user=users["drafter"])
    client = client_for("reviewer")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(f"/concepts/{concept.pk}/sections/{section.pk}/history/").content.decode()
    for text in expected:
        assert text in page
