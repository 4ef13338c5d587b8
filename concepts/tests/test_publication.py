"""Publication-grade editions, read back with tools that are not ours: poppler's pdfinfo and
pdftotext for the PDF, the OOXML parts of the Word file (and LibreOffice, where installed).

Rendering runs in-process, as in test_rendering.py.
"""

import datetime
import io
import re
import shutil
import subprocess
import zipfile

import pytest
from lxml import etree
from pypdf import PdfReader

from activities.tests.factories import ActivityFactory
from concepts import services as concept_services
from concepts.models import Section
from concepts.rendering import documents
from concepts.rendering.emblem import STARS, emblem_png, emblem_svg, star_centres, star_points
from concepts.rendering.fetcher import EMBLEM, allowed_file_bytes, static_url
from concepts.rendering.render import render_docx, render_pdf
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import ProjectPartner
from projects.tests.factories import FundingInstrumentFactory, OrganisationFactory, ProjectPartnerFactory

pytestmark = pytest.mark.django_db

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}
FILLER = "The national authorities review the procedures for the reception of applicants every quarter. " * 6
NOTE_ONE = "Law No. 354-Z of 4 January 2010 on the legal status of foreign citizens."
NOTE_TWO = "Figures of the State Border Committee for the year."
LISTS = "First list:\n\n1. alpha\n2. beta\n3. gamma\n\nSecond list:\n\n1. delta\n2. epsilon"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eu_instrument():
    instrument = FundingInstrumentFactory(code="AMIF")  # the project's (made by its factory, or here)
    for name, value in {
        "name_ru": "Фонд убежища, миграции и интеграции",
        "show_visibility_block": True,
        "funding_statement": "Funded by the European Union",
        "funding_statement_ru": "Финансируется Европейским союзом",
        "disclaimer": "Its contents are the sole responsibility of ICMPD.",
        "disclaimer_ru": "За её содержание отвечает исключительно ICMPD.",
    }.items():
        setattr(instrument, name, value)
    instrument.save()
    return instrument


@pytest.fixture
def concept(project, users, eu_instrument):
    """English source with a Russian title and translations; footnotes and two numbered lists."""
    project.instrument = eu_instrument
    project.title_ru = "Тестовый проект"
    project.save()
    implementer = OrganisationFactory(
        name="International Centre for Migration Policy Development", acronym="ICMPD", kind="implementing_agency"
    )
    beneficiary = OrganisationFactory(name="Republic of Belarus", name_ru="Республика Беларусь")
    ProjectPartnerFactory(project=project, organisation=implementer, role=ProjectPartner.PartnerRole.IMPLEMENTING)
    ProjectPartnerFactory(project=project, organisation=beneficiary, role=ProjectPartner.PartnerRole.BENEFICIARY)
    concept = ConceptFactory(
        project=project,
        title="National migration policy concept",
        target_languages=["ru"],
        title_ru="Концепция национальной миграционной политики",
    )
    author = users["drafter"]
    concept.intro = section_with_version(
        concept,
        title="Introduction",
        author=author,
        position=1,
        body=f"{FILLER}\n\nThe law applies[^law].\n\n[^law]: {NOTE_ONE}",
    )
    concept.lists = section_with_version(concept, title="Measures", body=LISTS, author=author, position=2)
    concept.legal = section_with_version(
        concept,
        title="Legal framework",
        author=author,
        parent=concept.lists,
        body=f"{FILLER}\n\n" * 3 + f"Arrivals grew[^n].\n\n[^n]: {NOTE_TWO}",
        position=1,
    )
    concept.annex = section_with_version(concept, title="Annex", body="A list of partners.", author=author, position=3)
    intro = Section.objects.select_related("head").get(pk=concept.intro.pk)
    concept_services.section_save(
        section=intro,
        base_number=0,
        title="Введение",
        user=author,
        language="ru",
        body="Миграционная политика[^1].\n\n[^1]: Примечание.",
        source_number=intro.head.number,
    )
    return concept


@pytest.fixture
def edition(concept, users, project):
    closing = ActivityFactory(project=project, title="Closing event", title_ru="Заключительное мероприятие")
    return concept_services.edition_create(
        concept=concept,
        name="Final draft",
        name_ru="Окончательная редакция",
        date=datetime.date(2026, 2, 25),
        presented_at=closing,
        is_final=True,
        user=users["manager"],
    )


def build(concept, edition, **options):
    return documents.build_document(concept=concept, kind=options.pop("kind", "pdf"), edition=edition, **options)


def tool(*arguments: str) -> str:
    """The output of one of poppler's or LibreOffice's command-line tools, found on PATH."""
    command = [str(argument) for argument in arguments]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=180).stdout  # noqa: S603,S607


def pdfinfo(path) -> dict[str, str]:
    return dict(re.findall(r"^([^:]+):\s*(.*)$", tool("pdfinfo", path), flags=re.MULTILINE))


def pdftotext_page(path, page: int) -> str:
    return re.sub(r"\s+", " ", tool("pdftotext", "-layout", "-f", page, "-l", page, path, "-"))


def docx_part(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


# --- PDF ---------------------------------------------------------------------------------------------


needs_poppler = pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils is not installed")


@needs_poppler
@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "National migration policy concept – Final draft"),
        ("ru", "Концепция национальной миграционной политики – Окончательная редакция"),
    ],
)
def test_the_pdf_is_tagged_archival_and_titled_in_its_language(concept, edition, tmp_path, language, title):
    path = tmp_path / "edition.pdf"
    path.write_bytes(render_pdf(build(concept, edition, language=language).html)[0])
    info = pdfinfo(path)
    assert info["Tagged"] == "yes"
    assert info["Title"] == title
    assert info["Metadata Stream"] == "yes"
    assert PdfReader(path).trailer["/Root"]["/Lang"] == language
    xmp = tool("pdfinfo", "-meta", path)
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert 'pdfuaid:part="1"' in xmp
    assert title in xmp  # dc:title
    structure = tool("pdfinfo", "-struct", path)
    assert "H1" in structure and "Figure" in structure and "L (block)" in structure


@needs_poppler
def test_footnotes_print_at_the_foot_of_the_page_that_refers_to_them(concept, edition, tmp_path):
    path = tmp_path / "edition.pdf"
    data, page_count = render_pdf(build(concept, edition).html)
    path.write_bytes(data)
    pages = {number: pdftotext_page(path, number) for number in range(1, page_count + 1)}
    for reference, note in (("The law applies1", NOTE_ONE), ("Arrivals grew2", NOTE_TWO)):
        referring = [number for number, text in pages.items() if reference in text]
        assert len(referring) == 1, reference
        text = pages[referring[0]]
        # The note is on the same page, after the text that refers to it, above the footer.
        assert re.search(rf"{re.escape(reference)}.*\d\. {re.escape(note)}.*Page {referring[0]} of", text), text
    assert "[1]" not in " ".join(pages.values()) and "↩" not in " ".join(pages.values())


def test_chapters_follow_on_the_same_page(project, users):
    concept = ConceptFactory(project=project, title="Short concept")
    for position in range(1, 6):
        section_with_version(
            concept, title=f"Chapter {position}", body="One paragraph.", position=position, author=users["drafter"]
        )
    edition = concept_services.edition_create(
        concept=concept, name="E1", date=datetime.date(2026, 1, 1), is_final=False, user=users["manager"]
    )
    _data, page_count = render_pdf(build(concept, edition).html)
    assert page_count == 3  # the cover, the contents, and five chapters on one page


# --- Both: the cover -----------------------------------------------------------------------------------


def test_a_russian_edition_says_everything_on_its_cover_in_russian(concept, edition):
    html = build(concept, edition, language="ru").html
    cover = html[html.index('<section class="cover">') : html.index("</section>")]
    assert '<h1 class="cover-title">Концепция национальной миграционной политики</h1>' in cover
    assert "Окончательная редакция" in cover and "Тестовый проект" in cover
    assert "Представлена на мероприятии: Заключительное мероприятие" in cover
    assert "Бенефициар: Республика Беларусь" in cover
    assert "AMIF – Фонд убежища, миграции и интеграции" in cover
    assert "Финансируется Европейским союзом" in cover and "За её содержание отвечает исключительно ICMPD." in cover
    for english in ("National migration policy", "Final draft", "Closing event", "Republic of Belarus", "Funded by"):
        assert english not in cover, english
    assert "<title>Концепция национальной миграционной политики – Окончательная редакция</title>" in html


def test_the_visibility_block_shows_the_emblem_statement_and_disclaimer_of_the_instrument(concept, edition):
    html = build(concept, edition).html
    assert f'<img class="visibility-emblem" src="{static_url(EMBLEM)}" alt="Flag of the European Union">' in html
    assert '<p class="cover-funding">Funded by the European Union</p>' in html
    assert "Its contents are the sole responsibility of ICMPD." in html


def test_an_instrument_that_needs_no_visibility_block_prints_none(concept, edition, eu_instrument):
    eu_instrument.show_visibility_block = False
    eu_instrument.save()
    concept.project.refresh_from_db()
    html = build(concept, edition).html
    assert "visibility-emblem" not in html and "Funded by the European Union" not in html
    assert "sole responsibility" not in html
    word = zipfile.ZipFile(io.BytesIO(render_docx(build(concept, edition, kind="docx"))))
    assert not [name for name in word.namelist() if name.startswith("word/media/")]
    assert "Funded by" not in word.read("word/document.xml").decode()


def test_the_emblem_is_drawn_from_the_eu_geometry_and_shipped_as_that_file():
    assert allowed_file_bytes(EMBLEM).decode() == emblem_svg()
    svg = etree.fromstring(emblem_svg().encode())
    polygons = svg.findall(".//{http://www.w3.org/2000/svg}polygon")
    assert len(polygons) == STARS == 12
    assert svg.find("{http://www.w3.org/2000/svg}rect").get("fill") == "#003399"
    centres = star_centres(300, 200)
    for cx, cy in centres:  # on a circle of a third of the height, around the centre
        assert abs(((cx - 150) ** 2 + (cy - 100) ** 2) ** 0.5 - 200 / 3) < 1e-9
    top = star_points(*centres[0], 200 / 18)
    assert top[0] == pytest.approx((150, 100 - 200 / 3 - 200 / 18))  # a point straight up
    assert len(top) == 10
    assert emblem_png().startswith(b"\x89PNG")


# --- Word ----------------------------------------------------------------------------------------------


def test_the_word_contents_lists_every_heading_without_refreshing(concept, edition):
    data = render_docx(build(concept, edition, kind="docx"))
    body = docx_part(data, "word/document.xml")
    headings = [
        (
            "".join(p.itertext()),
            next(name for m in p.iter(f"{W}bookmarkStart") if (name := m.get(f"{W}name")).startswith("_Toc")),
        )
        for p in body.iter(f"{W}p")
        if (style := p.find("w:pPr/w:pStyle", NS)) is not None and style.get(f"{W}val").startswith("Heading")
    ]
    assert [text for text, _name in headings] == ["1 Introduction", "2 Measures", "2.1 Legal framework", "3 Annex"]
    entries = [
        ("".join(link.itertext()), link.get(f"{W}anchor"))
        for p in body.iter(f"{W}p")
        if (style := p.find("w:pPr/w:pStyle", NS)) is not None and style.get(f"{W}val").startswith("TOC")
        for link in p.iter(f"{W}hyperlink")
    ]
    assert entries == headings  # each entry is written and links to its heading's bookmark
    instructions = [text.text for text in body.iter(f"{W}instrText")]
    assert any(text.strip().startswith('TOC \\o "1-3"') for text in instructions)
    kinds = [char.get(f"{W}fldCharType") for char in body.iter(f"{W}fldChar")]
    assert kinds.count("begin") == kinds.count("end")
    settings = docx_part(data, "word/settings.xml")
    assert settings.find("w:updateFields", NS) is None  # nothing asks the reader to refresh


def test_two_numbered_lists_each_start_at_one(concept, edition):
    data = render_docx(build(concept, edition, kind="docx"))
    body = docx_part(data, "word/document.xml")
    numbering = docx_part(data, "word/numbering.xml")
    items = {}
    for p in body.iter(f"{W}p"):
        num_id = p.find("w:pPr/w:numPr/w:numId", NS)
        if num_id is not None:
            items.setdefault(num_id.get(f"{W}val"), []).append("".join(p.itertext()))
    assert list(items.values()) == [["alpha", "beta", "gamma"], ["delta", "epsilon"]]
    for num_id in items:
        num = numbering.find(f"w:num[@w:numId='{num_id}']", NS)
        assert num.find("w:lvlOverride[@w:ilvl='0']/w:startOverride", NS).get(f"{W}val") == "1"
        abstract_id = num.find("w:abstractNumId", NS).get(f"{W}val")
        abstract = numbering.find(f"w:abstractNum[@w:abstractNumId='{abstract_id}']", NS)
        assert abstract.find("w:lvl[@w:ilvl='0']/w:numFmt", NS).get(f"{W}val") == "decimal"


@pytest.mark.parametrize(("language", "tag"), [("ru", "ru-RU"), ("en", "en-GB")])
def test_the_word_file_is_in_its_language_for_proofing(concept, edition, language, tag):
    data = render_docx(build(concept, edition, kind="docx", language=language))
    styles = docx_part(data, "word/styles.xml")
    assert styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS).get(f"{W}val") == tag
    assert {lang.get(f"{W}val") for lang in styles.iter(f"{W}lang")} == {tag}
    assert docx_part(data, "word/settings.xml").find("w:proofState", NS) is None
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    for name in names:
        if name.endswith(".xml") and name.startswith("word/"):
            assert b"en-US" not in zipfile.ZipFile(io.BytesIO(data)).read(name), name


def test_the_word_core_properties_are_the_portals_and_in_the_editions_language(concept, edition):
    now = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    data = render_docx(build(concept, edition, kind="docx", language="ru"), now=now)
    package = zipfile.ZipFile(io.BytesIO(data))
    core = package.read("docProps/core.xml").decode()
    assert "<dc:title>Концепция национальной миграционной политики – Окончательная редакция</dc:title>" in core
    assert "<dc:creator>Migration Partnership Facility</dc:creator>" in core
    assert "<cp:lastModifiedBy>MPF Portal</cp:lastModifiedBy>" in core
    assert "<dc:language>ru-RU</dc:language>" in core
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2026-03-01T09:30:00Z</dcterms:created>' in core
    assert '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-03-01T09:30:00Z</dcterms:modified>' in core
    properties = core + package.read("docProps/app.xml").decode()
    for leftover in ("2013-12-23", "python-docx", "Macintosh", "Normal.dotm"):
        assert leftover not in properties, leftover
    assert "<Application>MPF Portal</Application>" in properties
    header = package.read("word/header1.xml").decode()
    assert "Концепция национальной миграционной политики" in header


def test_markdown_footnotes_are_real_word_footnotes(concept, edition):
    data = render_docx(build(concept, edition, kind="docx"))
    body = docx_part(data, "word/document.xml")
    footnotes = docx_part(data, "word/footnotes.xml")
    references = [ref.get(f"{W}id") for ref in body.iter(f"{W}footnoteReference")]
    assert references == ["1", "2"]
    notes = {note.get(f"{W}id"): "".join(note.itertext()).strip() for note in footnotes.findall("w:footnote", NS)}
    assert notes["1"] == NOTE_ONE and notes["2"] == NOTE_TWO
    assert footnotes.find("w:footnote[@w:type='separator']", NS) is not None
    text = "".join(body.itertext())
    assert NOTE_ONE not in text and "[^" not in text and "↩" not in text
    relationships = zipfile.ZipFile(io.BytesIO(data)).read("word/_rels/document.xml.rels").decode()
    assert 'relationships/footnotes" Target="footnotes.xml"' in relationships


@needs_poppler
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_shows_the_contents_the_lists_from_one_and_the_footnotes(concept, edition, tmp_path):
    (tmp_path / "edition.docx").write_bytes(render_docx(build(concept, edition, kind="docx")))
    tool(
        "soffice",
        f"-env:UserInstallation=file://{tmp_path}/profile",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        tmp_path,
        tmp_path / "edition.docx",
    )
    pages = tool("pdftotext", "-layout", tmp_path / "edition.pdf", "-").split("\f")
    contents = re.sub(r"\s+", " ", pages[1])
    assert re.search(r"Contents 1 Introduction 2 Measures 2\.1 Legal framework 3 Annex", contents), contents
    text = re.sub(r"\s+", " ", " ".join(pages[2:]))
    assert re.search(r"1\. alpha 2\. beta 3\. gamma", text) and re.search(r"1\. delta 2\. epsilon", text), text
    assert f"1 {NOTE_ONE}" in text and f"2 {NOTE_TWO}" in text


# --- Control characters ----------------------------------------------------------------------------------


def test_a_frozen_version_with_a_vertical_tab_still_renders_to_word_and_pdf(project, users):
    concept = ConceptFactory(project=project, title="Pasted\x0b title")
    section_with_version(
        concept, title="Intro\x0bduction", body="Line one\x0bline two\x07 and a bell.", author=users["drafter"]
    )
    edition = concept_services.edition_create(
        concept=concept, name="Frozen", date=datetime.date(2026, 1, 1), is_final=False, user=users["manager"]
    )
    assert "\x0b" in edition.entries.get().version.body  # stored as it was: the renderers must cope
    data = render_docx(build(concept, edition, kind="docx"))
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "Line one" in xml and "line two and a bell." in xml and "\x0b" not in xml
    pdf, _pages = render_pdf(build(concept, edition).html)
    assert "line two and a bell." in " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_control_characters_are_dropped_when_a_section_is_saved(concept, users):
    section = Section.objects.select_related("head").get(pk=concept.annex.pk)
    concept_services.section_save(
        section=section,
        base_number=section.head.number,
        title="Pasted\x0btitle\x00",
        body="Pasted\x0bfrom Word\x0c.\x1b",
        user=users["drafter"],
    )
    section.refresh_from_db()
    assert section.head.title == "Pasted title"
    assert section.head.body == "Pasted\nfrom Word\n."


def test_control_characters_are_dropped_from_an_imported_file(project, users):
    from concepts import importing

    plan = importing.parse_markdown("# Intro\x0b duction\n\nPasted\x0bfrom another\x07 program.", fallback_title="x")
    concept = importing.concept_create_from_plan(
        project=project, title="Imported", language="en", plan=plan, user=users["manager"]
    )
    head = concept.sections.get().head
    assert head.title == "Intro duction"
    assert head.body == "Pasted\nfrom another program."
