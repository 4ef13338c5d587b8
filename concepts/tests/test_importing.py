"""Starting a concept, or adding sections, from a Word (.docx) or Markdown file, with a preview.

The .docx files are built with python-docx (concepts/tests/docx_files.py), with a tracked change,
a hyperlink and a footnote written into the document part by hand.
"""

import io
import re
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from common.models import ImportJob
from concepts import importing
from concepts.importing import HtmlToMarkdown, concept_create_from_plan, concept_import, parse_docx, parse_markdown
from concepts.models import MAX_BODY_LENGTH, Concept, Section, SectionVersion
from concepts.outline import build_outline
from concepts.tests.docx_files import DOCX_TYPE, add_footnote, add_hyperlink, add_tracked_change, save, tiny_png_file
from concepts.tests.factories import ConceptFactory, section_with_version

TITLE = "Concept of the National Migration Policy"


def concept_docx() -> bytes:
    """Headings at three levels (and one deeper), bold and italic, lists, a table, a picture, a link, a
    tracked change, a comment and a footnote."""
    document = docx.Document()
    document.add_heading(TITLE, level=0)  # the "Title" style
    document.add_paragraph("Drafted by the working group in 2019.")
    document.add_heading("1. General provisions", level=1)
    paragraph = document.add_paragraph("The concept sets out ")
    paragraph.add_run("principles").bold = True
    paragraph.add_run(" and ")
    paragraph.add_run("priorities").italic = True
    paragraph.add_run(" of the policy.")
    add_footnote(document, paragraph, 1, "Adopted by the Council of Ministers.")
    document.add_paragraph("Legal migration", style="List Bullet")
    document.add_paragraph("Asylum", style="List Bullet")
    document.add_paragraph("Collect data", style="List Number")
    document.add_paragraph("Publish reports", style="List Number")
    document.add_heading("Goals", level=2)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Goal", "Indicator"
    table.cell(1, 0).text, table.cell(1, 1).text = "Better data", "Annual report"
    document.add_picture(tiny_png_file())
    paragraph = document.add_paragraph("See ")
    add_hyperlink(paragraph, "https://example.org/strategy", "the strategy")
    paragraph.add_run(".")
    document.add_heading("Indicators", level=3)
    paragraph = document.add_paragraph("The ministry reports ")
    add_tracked_change(paragraph, "every year", "every month")
    run = paragraph.add_run(" to the parliament.")
    document.add_comment(run, text="Which committee?", author="Reviewer")
    document.add_heading("Sources of data", level=4)
    document.add_paragraph("Registers and surveys.")
    document.add_heading("2. Implementation", level=1)
    document.add_paragraph("By the ministry.")
    return save(document)


def upload(data: bytes, name: str = "concept.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=DOCX_TYPE if name.endswith(".docx") else "text/markdown")


def rows():
    return Concept.objects.count(), Section.objects.count(), SectionVersion.objects.count()


# Reading Word files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def concept_plan():
    return parse_docx(concept_docx(), fallback_title="concept")


def outline_of(plan):
    return [(section.number, section.title, section.level) for section in plan.sections]


def test_word_headings_become_sections_at_their_levels(concept_plan):
    assert concept_plan.errors == []
    assert outline_of(concept_plan) == [
        ("1", "Introduction", 1),
        ("2", "General provisions", 1),
        ("2.1", "Goals", 2),
        ("2.1.1", "Indicators", 3),
        ("2.1.2", "Sources of data", 3),
        ("3", "Implementation", 1),
    ]
    assert concept_plan.title == TITLE  # the Title paragraph, which is not a section
    assert concept_plan.sections[0].body == "Drafted by the working group in 2019."
    assert concept_plan.sections[0].introduction


def test_the_text_becomes_markdown(concept_plan):
    general, goals = concept_plan.sections[1].body, concept_plan.sections[2].body
    assert general.startswith("The concept sets out **principles** and *priorities* of the policy.\\[1\\]")
    assert "- Legal migration\n- Asylum" in general
    assert "1. Collect data\n2. Publish reports" in general
    assert "| Goal | Indicator |\n| --- | --- |\n| Better data | Annual report |" in goals
    assert "See [the strategy](https://example.org/strategy)." in goals


def test_the_markdown_renders_as_the_portal_shows_it(concept_plan):
    from common.markdown import render_markdown

    html = render_markdown(concept_plan.sections[1].body + "\n\n" + concept_plan.sections[2].body)
    assert "<strong>principles</strong>" in html and "<em>priorities</em>" in html
    assert "<ul>" in html and "<ol>" in html and "<table>" in html
    assert '<a href="https://example.org/strategy"' in html
    assert "[1]" in html


def test_tracked_changes_are_accepted_and_reported(concept_plan):
    indicators = concept_plan.sections[3].body
    assert indicators == "The ministry reports every year to the parliament."
    assert "every month" not in indicators
    note = next(note for note in concept_plan.notes if "tracked changes" in note)
    assert "1 insertion, 1 deletion" in note
    assert "every change accepted: inserted text is kept and deleted text is left out" in note


def test_pictures_are_left_out_and_reported(concept_plan):
    note = next(note for note in concept_plan.notes if "picture" in note)
    assert note.startswith("1 picture or drawing is left out")
    assert "“Goals”" in note
    assert concept_plan.sections[2].images == 1


def test_comments_are_left_out_and_reported(concept_plan):
    assert any(note.startswith("1 comment in the margin is left out") for note in concept_plan.notes)
    assert "Which committee" not in "".join(section.body for section in concept_plan.sections)


def test_footnotes_are_kept_at_the_end_of_their_section(concept_plan):
    assert concept_plan.sections[1].body.endswith("\\[1\\] Adopted by the Council of Ministers.")
    assert any("1 footnote or endnote is kept" in note for note in concept_plan.notes)


def test_a_footnote_on_a_heading_goes_to_the_end_of_its_section():
    document = docx.Document()
    heading = document.add_heading("Scope", level=1)
    add_footnote(document, heading, 1, "As defined by the law.")
    document.add_paragraph("The text.")
    plan = parse_docx(save(document))
    assert outline_of(plan) == [("1", "Scope", 1)]
    assert plan.sections[0].body == "The text.\n\n\\[1\\] As defined by the law."


def test_deeper_headings_are_folded_into_level_three_with_a_note(concept_plan):
    assert any("level 4 or deeper" in note and "“Sources of data”" in note for note in concept_plan.notes)
    assert any("before the first heading becomes a section called “Introduction”" in n for n in concept_plan.notes)
    assert any("numbers typed at the start of 2 headings" in note for note in concept_plan.notes)


def test_a_heading_that_skips_a_level_goes_one_below_the_one_before():
    document = docx.Document()
    document.add_heading("Heading three first", level=3)
    document.add_heading("Chapter", level=1)
    document.add_heading("Detail", level=3)
    plan = parse_docx(save(document))
    assert outline_of(plan) == [("1", "Heading three first", 1), ("2", "Chapter", 1), ("2.1", "Detail", 2)]
    assert any("2 headings skip a level" in note for note in plan.notes)


def test_the_title_falls_back_to_the_first_heading_1_then_the_file_name():
    document = docx.Document()
    document.add_heading("Migration policy", level=1)
    assert parse_docx(save(document), fallback_title="file").title == "Migration policy"
    document = docx.Document()
    document.add_paragraph("Only text.")
    plan = parse_docx(save(document), fallback_title="draft-2019")
    assert plan.title == "draft-2019"
    assert outline_of(plan) == [("1", "Introduction", 1)]
    assert any("no headings" in note for note in plan.notes)


# Converting mammoth's HTML ---------------------------------------------------------------------


def body(html: str) -> str:
    return HtmlToMarkdown().convert(html)[0].body


def test_nested_lists_are_indented_under_their_item():
    html = "<ul><li>One<ul><li>One a</li></ul></li><li>Two</li></ul><ol><li>First<ol><li>Inner</li></ol></li></ol>"
    assert body(html) == "- One\n  - One a\n- Two\n\n1. First\n   1. Inner"


def test_text_that_looks_like_markdown_stays_text():
    html = "<p>1. Not a list</p><p># Not a heading</p><p>- not a bullet, *not* _emphasis_ [x](y) ~~z~~ &amp;amp;</p>"
    out = body(html)
    assert out == (
        "1\\. Not a list\n\n\\# Not a heading\n\n"
        "\\- not a bullet, \\*not\\* \\_emphasis\\_ \\[x\\](y) \\~\\~z\\~\\~ \\&amp;"
    )
    from common.markdown import render_markdown

    assert render_markdown(out) == (
        "<p>1. Not a list</p>\n<p># Not a heading</p>\n<p>- not a bullet, *not* _emphasis_ [x](y) ~~z~~ &amp;amp;</p>\n"
    )


def test_merged_table_cells_keep_the_columns_in_place():
    html = (
        "<table><tr><th colspan='2'>Period</th><th>Note</th></tr>"
        "<tr><td rowspan='2'>2019</td><td>Q1</td><td>a | b</td></tr><tr><td>Q2</td><td>c</td></tr></table>"
    )
    assert body(html) == "| Period |  | Note |\n| --- | --- | --- |\n| 2019 | Q1 | a \\| b |\n|  | Q2 | c |"


def test_links_line_breaks_and_unsafe_links():
    html = (
        '<p>Read <a href="https://example.org/a (b)">the <strong>law</strong></a>,<br />then '
        '<a href="javascript:alert(1)">this</a> and <a href="#_Toc1">that</a>.</p>'
    )
    assert body(html) == "Read [the **law**](https://example.org/a%20%28b%29),\\\nthen this and that."


# Reading Markdown files ------------------------------------------------------------------------


def test_markdown_headings_become_sections_and_the_rest_stays_markdown():
    text = (
        "Preamble.\n\n# Aims\n\nSome **bold** text.\n\n```\n# not a heading\n```\n\n## Scope\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n### Detail ###\n\n#### Deeper\n\nKept.\n\n# Second\n"
    )
    plan = parse_markdown(text, fallback_title="notes")
    assert plan.errors == []
    assert outline_of(plan) == [
        ("1", "Introduction", 1),
        ("2", "Aims", 1),
        ("2.1", "Scope", 2),
        ("2.1.1", "Detail", 3),
        ("3", "Second", 1),
    ]
    assert plan.sections[1].body == "Some **bold** text.\n\n```\n# not a heading\n```"
    assert plan.sections[3].body == "#### Deeper\n\nKept."
    assert plan.sections[4].body == ""
    assert plan.title == "Aims"
    assert any("level 4 or deeper (####) stays a heading" in note for note in plan.notes)


# Bad input -------------------------------------------------------------------------------------


def broken_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a document")
    return buffer.getvalue()


def empty_docx() -> bytes:
    document = docx.Document()
    document.add_picture(tiny_png_file())
    return save(document)


BAD_FILES = [
    pytest.param("notes.txt", b"Some text", "Upload a Word document (.docx) or a Markdown file (.md).", id="txt"),
    pytest.param("old.doc", b"\xd0\xcf\x11\xe0", "Old Word files (.doc) cannot be read.", id="doc"),
    pytest.param("broken.docx", b"PK\x03\x04 broken", "could not be read as a Word document", id="broken"),
    pytest.param("other.docx", broken_zip(), "could not be read as a Word document", id="zip-not-docx"),
    pytest.param("big.md", b"a" * (10 * 1024 * 1024 + 1), "The file is larger than 10 MB.", id="too-big"),
    pytest.param("empty.docx", empty_docx(), "The file has no text to import.", id="no-text-docx"),
    pytest.param("empty.md", b"\n\n  \n", "The file has no text to import.", id="no-text-md"),
    pytest.param("latin.md", "# Café".encode("latin-1"), "not saved as UTF-8", id="not-utf8"),
    pytest.param(
        "long.md",
        ("# Short\n\nFine.\n\n# Annex\n\n" + "word " * (MAX_BODY_LENGTH // 5 + 1)).encode(),
        "The section “Annex” has 200,004 characters of text, more than the 200,000 a section may have.",
        id="section-too-long",
    ),
    pytest.param(
        "many.md",
        "".join(f"# Section {n}\n\nText.\n\n" for n in range(501)).encode(),
        "The file would create 501 sections, and at most 500 can be imported from one file.",
        id="too-many-sections",
    ),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES)
def test_bad_files_are_refused_with_the_reason(name, data, message):
    plan = importing.parse_upload(upload(data, name))
    assert not plan.can_import
    assert any(message in error for error in plan.errors), plan.errors


# The preview and the confirmation --------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _eager(eager_celery):
    """Import tasks run in-process, even with REDIS_URL set (no worker in unit tests)."""


@pytest.fixture
def import_url(project):
    return reverse("project_concepts:import", kwargs={"slug": project.slug})


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Posts as the browser does and runs what the request left for after its commit (the import task,
    in-process: Celery is eager in tests)."""

    def post(client, url, data, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, **extra)

    return post


def preview(send, client, url, data):
    """Uploads the file and follows to the job's page: the preview once the task has read it."""
    response = send(client, url, data)
    if response.status_code != 302:
        return response, None
    return client.get(response.url), response.url


def test_the_preview_lists_the_sections_and_what_is_left_out_and_saves_nothing(client_for, import_url, send, tmp_path):
    client = client_for("drafter")
    before = rows()
    response, job_url = preview(send, client, import_url, {"file": upload(concept_docx())})
    assert response.status_code == 200
    page = response.content.decode()
    assert rows() == before
    for number, title, level in [("1", "Introduction", 1), ("2.1", "Goals", 2), ("2.1.2", "Sources of data", 3)]:
        assert re.search(rf"<td>{re.escape(number)}</td>\s*<th[^>]*>{title}.*?</th>\s*<td>{level}</td>", page, re.S)
    assert "text before the first heading" in page
    assert "1 picture or drawing is left out" in page
    assert "tracked changes" in page and "every change accepted" in page
    assert "1 comment in the margin is left out" in page
    assert f'value="{TITLE}"' in page  # the title field, editable
    assert "Create the concept with 6 sections" in page
    assert f'action="{job_url}"' in page  # confirmed on the job's page, from the plan the job stored
    assert not list((tmp_path / "imports").iterdir())  # the upload is gone once read


def test_confirming_creates_the_concept_with_every_section_in_its_place(client_for, import_url, project, users, send):
    client = client_for("drafter")
    _preview, job_url = preview(send, client, import_url, {"file": upload(concept_docx())})
    response = send(client, job_url, {"title": "Migration policy concept", "language": "ru"})
    concept = Concept.objects.get()
    assert response.status_code == 302 and response.url == concept.get_absolute_url()
    assert (concept.project, concept.title, concept.language) == (project, "Migration policy concept", "ru")
    outline = build_outline(list(concept.sections.select_related("head")))
    assert [(e.number, e.section.head.title, e.level) for e in outline] == [
        ("1", "Introduction", 1),
        ("2", "General provisions", 1),
        ("2.1", "Goals", 2),
        ("2.1.1", "Indicators", 3),
        ("2.1.2", "Sources of data", 3),
        ("3", "Implementation", 1),
    ]
    for entry in outline:
        versions = list(entry.section.versions.all())
        assert [version.number for version in versions] == [1]
        assert versions[0].author == users["drafter"]
    assert outline[3].section.head.body == "The ministry reports every year to the parliament."
    assert ImportJob.objects.get().confirmed_at is not None
    page = client.get(concept.get_absolute_url()).content.decode()
    assert "2.1.2 Sources of data" in page
    assert "6 sections from the file" in page


def test_the_title_is_required_on_confirmation(client_for, import_url, send):
    client = client_for("manager")
    _preview, job_url = preview(send, client, import_url, {"file": upload(concept_docx())})
    response = send(client, job_url, {"title": "", "language": "en"})
    assert response.status_code == 200
    assert Concept.objects.count() == 0
    assert "This field is required." in response.content.decode()
    response = send(client, job_url, {"title": "Now with a title", "language": "en"})
    assert response.status_code == 302
    assert Concept.objects.get().title == "Now with a title"


def test_a_confirmed_import_is_not_found_again(client_for, import_url, send):
    client = client_for("manager")
    _preview, job_url = preview(send, client, import_url, {"file": upload(b"# One\n\nText.", "one.md")})
    assert send(client, job_url, {"title": "One", "language": "en"}).status_code == 302
    assert send(client, job_url, {"title": "Again", "language": "en"}).status_code == 404
    assert client.get(job_url).status_code == 404
    assert Concept.objects.count() == 1


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES)
def test_bad_files_are_refused_on_the_page_and_nothing_is_saved(
    client_for, import_url, name, data, message, tmp_path, send
):
    client = client_for("drafter")
    before = rows()
    response, _job_url = preview(send, client, import_url, {"file": upload(data, name)})
    assert response.status_code == 200
    assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert "Create the concept" not in response.content.decode()
    assert rows() == before
    assert not (tmp_path / "imports").exists() or not list((tmp_path / "imports").iterdir())


def test_a_markdown_file_starts_a_concept(client_for, import_url, send):
    client = client_for("manager")
    text = "# Aims\n\nThe **aims**.\n\n## Scope\n\n- one\n- two\n"
    response, job_url = preview(send, client, import_url, {"file": upload(text.encode(), "aims.md")})
    assert "Create the concept with 2 sections" in response.content.decode()
    send(client, job_url, {"title": "Aims", "language": "en"})
    scope = Section.objects.get(parent__isnull=False)
    assert (scope.parent.head.title, scope.head.title, scope.head.body) == ("Aims", "Scope", "- one\n- two")


# Adding sections to a concept ------------------------------------------------------------------


@pytest.fixture
def concept(project, users):
    concept = ConceptFactory(project=project)
    first = section_with_version(concept, title="Background", author=users["manager"])
    section_with_version(concept, title="Context", author=users["manager"], parent=first)
    section_with_version(concept, title="Objectives", author=users["manager"], position=2)
    return concept


def confirm_sections(send, client, concept, data, name="more.md", **fields):
    url = reverse("concepts:import", kwargs={"concept_id": concept.pk})
    page, job_url = preview(send, client, url, {"file": upload(data, name), **fields})
    return page, (send(client, job_url, {}) if job_url else None)


def numbered(concept):
    outline = build_outline(list(concept.sections.filter(is_removed=False).select_related("head")))
    return [(entry.number, entry.section.head.title) for entry in outline]


def test_sections_from_a_file_go_at_the_end_of_the_concept(client_for, concept, send):
    client = client_for("drafter")
    page, done = confirm_sections(send, client, concept, b"# Measures\n\nText.\n\n## Funding\n\nMore.")
    page = page.content.decode()
    assert "<td>3</td>" in page and "<td>3.1</td>" in page and "Add 2 sections" in page
    assert done.status_code == 302
    assert numbered(concept) == [
        ("1", "Background"),
        ("1.1", "Context"),
        ("2", "Objectives"),
        ("3", "Measures"),
        ("3.1", "Funding"),
    ]


def test_sections_from_a_file_go_under_a_chosen_section(client_for, concept, send):
    client = client_for("manager")
    parent = concept.sections.get(versions__title="Background")
    page, done = confirm_sections(send, client, concept, b"# Risks\n\nText.", parent=parent.pk)
    assert "<td>1.2</td>" in page.content.decode()
    assert done.status_code == 302
    assert numbered(concept) == [("1", "Background"), ("1.1", "Context"), ("1.2", "Risks"), ("2", "Objectives")]


def test_sections_that_would_nest_too_deep_are_refused(client_for, concept, send):
    client = client_for("manager")
    context = concept.sections.get(versions__title="Context")
    before = rows()
    page, done = confirm_sections(send, client, concept, b"# A\n\n## B\n\nText.", parent=context.pk)
    assert "go 2 levels deep, but under 1.1 Context only 1 more level(s) fit" in page.content.decode()
    assert "Add 2 sections" not in page.content.decode()
    assert done.status_code == 200  # a confirmation posted anyway is refused again
    assert rows() == before


def test_the_import_is_one_transaction(concept, users, monkeypatch):
    plan = parse_markdown("# One\n\n# Two\n\n# Three\n")
    calls = []
    real = importing.services.section_add

    def failing(**kwargs):
        calls.append(kwargs["title"])
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(importing.services, "section_add", failing)
    before = rows()
    with pytest.raises(RuntimeError):
        concept_import(concept=concept, plan=plan, user=users["manager"])
    with pytest.raises(RuntimeError):
        calls.clear()
        concept_create_from_plan(project=concept.project, title="New", language="en", plan=plan, user=users["manager"])
    assert rows() == before


def test_a_plan_with_errors_is_never_written(concept, users):
    plan = parse_markdown("# A\n\n" + "x" * (MAX_BODY_LENGTH + 1))
    before = rows()
    with pytest.raises(Exception, match="more than the 200,000"):
        concept_import(concept=concept, plan=plan, user=users["manager"])
    assert rows() == before


# Who may import --------------------------------------------------------------------------------

EXPECTED = {
    "anonymous": "login",
    "outsider": 404,
    "other_drafter": 404,
    "portfolio_donor": 404,
    "donor": None,  # 403 on the project page, 404 on a concept draft they may not read
    "reviewer": 403,
    "drafter": 200,
    "manager": 200,
    "staff": 200,
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_who_may_import(client_for, role, concept, import_url, send):
    client = client_for(role)
    concept_url = reverse("concepts:import", kwargs={"concept_id": concept.pk})
    for url, donor in ((import_url, 403), (concept_url, 404)):
        response = client.get(url)
        expected = EXPECTED[role] or donor
        if expected == "login":
            assert response.status_code == 302 and "/accounts/login/" in response.url
        else:
            assert response.status_code == expected
    before = rows()
    response = send(client, import_url, {"file": upload(b"# Title\n\nText.", "t.md")})
    if EXPECTED[role] == 200:
        assert send(client, response.url, {"title": "T", "language": "en"}).status_code == 302
        assert rows()[0] == before[0] + 1
    else:
        assert response.status_code in (302, 403, 404)
        assert rows() == before


def test_the_pages_link_to_the_import_for_those_who_may_import(client_for, concept, project):
    list_url = reverse("project_concepts:list", kwargs={"slug": project.slug})
    for role, shown in (("drafter", True), ("manager", True), ("reviewer", False)):
        client = client_for(role)
        assert (
            reverse("project_concepts:import", kwargs={"slug": project.slug}) in client.get(list_url).content.decode()
        ) is shown
        detail = client.get(concept.get_absolute_url()).content.decode()
        assert (reverse("concepts:import", kwargs={"concept_id": concept.pk}) in detail) is shown
