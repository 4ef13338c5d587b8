"""The seed project's documents, as small files made here (text PDFs, a Word agenda, Excel lists).

Uploaded through the same service as any user's file, so the demo files pass the same checks.
Idempotent: a document is keyed on its project and title and left alone once there. The
participant lists are written from the knowledge exchanges' participation records, so their
counts are the activities' counts.
"""

import datetime
import io

import docx
import openpyxl
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from activities.models import Activity
from projects.models import Project

from . import services
from .models import Category, Document, Visibility

K = Activity.Kind


def text_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF 1.4 with a title and lines of Latin-1 text in Helvetica, with a correct cross-reference table."""

    def literal(text: str) -> bytes:
        return b"(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1") + b")"

    operations = [b"BT", b"/F1 16 Tf", b"56 780 Td", literal(title) + b" Tj", b"/F1 11 Tf", b"0 -30 Td"]
    for line in lines:
        operations += [literal(line) + b" Tj", b"0 -16 Td"]
    operations.append(b"ET")
    stream = b"\n".join(operations)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Title " + literal(title) + b" /Producer (MPF Portal demo data) >>",
    ]
    pdf = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    table = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, table)
    return pdf


def agenda_docx(mission: Activity) -> bytes:
    document = docx.Document()
    document.add_heading(f"Agenda: {mission.title}", level=1)
    document.add_paragraph(
        f"{mission.city or 'Minsk'}, {mission.actual_start:%d %B %Y} to {mission.actual_end:%d %B %Y}"
    )
    days = [
        "Opening meeting with the national authorities and the EU Delegation",
        "Meetings with the State Migration Service and the ministries concerned",
        "Meetings with IOM, UNHCR and civil society organisations",
        "Meetings with universities, research institutes and employers' associations",
        "Debriefing: first findings and the road to the Concept",
    ]
    for day, agenda in enumerate(days, start=1):
        document.add_paragraph(f"Day {day}: {agenda}", style="List Number")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def participant_list_xlsx(exchange: Activity) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Participants"
    sheet.append([exchange.title])
    sheet.append(["Organisation", "Role", "Participants", "Of whom women"])
    total = 0
    for participation in exchange.participations.select_related("organisation").order_by("role", "organisation__name"):
        sheet.append(
            [
                participation.organisation.name,
                participation.get_role_display(),
                participation.participants,
                participation.women,
            ]
        )
        total += participation.participants
    sheet.append(["Total", "", total, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _desk_research_report() -> bytes:
    return text_pdf(
        "Desk research on the migration framework of Belarus",
        [
            "Report of the desk research, February - March 2019.",
            "",
            "1. Policies and institutional mandates in the field of migration",
            "2. Legislation and the international agreements to which Belarus is party",
            "3. Studies and data on migration flows and their socio-economic effects",
            "4. Contact points proposed for the fact-finding mission",
        ],
    )


def _closing_presentation() -> bytes:
    return text_pdf(
        "The Final Draft Concept of the National Migration Policy",
        [
            "Presentation at the closing event, February 2020.",
            "",
            "- How the Concept was drafted: desk research, mission, study visit,",
            "  four knowledge exchanges, remote co-drafting and consultations",
            "- The structure of the Final Draft Concept",
            "- Next steps towards its adoption",
        ],
    )


def _document_plan(project: Project) -> list[dict]:
    activities = Activity.objects.filter(project=project)
    desk = activities.filter(kind=K.DESK_RESEARCH).first()
    mission = activities.filter(kind=K.FACT_FINDING).first()
    closing = activities.filter(kind=K.CLOSING_EVENT).first()
    plan = []
    if desk:
        plan.append(
            {
                "title": "Desk research report",
                "filename": "desk-research-report.pdf",
                "content": _desk_research_report,
                "category": Category.PRE_POST_APPRAISAL,
                "languages": ["en"],
                "visibility": Visibility.DONORS,
                "activity": desk,
                "date": desk.actual_end,
            }
        )
    if mission:
        plan.append(
            {
                "title": "Agenda of the fact-finding mission",
                "filename": "fact-finding-mission-agenda.docx",
                "content": lambda: agenda_docx(mission),
                "category": Category.OBJECTIVES,
                "languages": ["en"],
                "visibility": Visibility.TEAM,
                "activity": mission,
                "date": mission.actual_start - datetime.timedelta(days=7),
            }
        )
    for number, exchange in enumerate(activities.filter(kind=K.KNOWLEDGE_EXCHANGE).order_by("order"), start=1):
        plan.append(
            {
                "title": f"Participant list of knowledge exchange {number}",
                "filename": f"knowledge-exchange-{number}-participants.xlsx",
                "content": lambda exchange=exchange: participant_list_xlsx(exchange),
                "category": Category.BENEFICIARIES,
                "languages": ["en", "ru"],
                "visibility": Visibility.DONORS,
                "activity": exchange,
                "date": exchange.actual_end,
            }
        )
    if closing:
        plan.append(
            {
                "title": "Presentation of the Final Draft Concept",
                "filename": "final-draft-concept-presentation.pdf",
                "content": _closing_presentation,
                "category": Category.RESULTS,
                "languages": ["en"],
                "visibility": Visibility.PUBLIC,
                "activity": closing,
                "date": closing.actual_start,
            }
        )
    return plan


def seed_documents(project: Project) -> None:
    uploader = get_user_model().objects.filter(username="manager").first()
    existing = set(Document.objects.filter(project=project).values_list("title", flat=True))
    for entry in _document_plan(project):
        if entry["title"] in existing:
            continue
        services.document_create(
            project=project,
            user=uploader,
            upload=SimpleUploadedFile(entry["filename"], entry["content"]()),
            title=entry["title"],
            category=entry["category"],
            languages=entry["languages"],
            visibility=entry["visibility"],
            document_date=entry["date"],
            activity=entry["activity"],
        )
