import io

import openpyxl
import pytest
from django.core.management import call_command
from pypdf import PdfReader

from activities.models import Activity
from documents.models import Document, DocumentVersion

pytestmark = pytest.mark.django_db


def test_the_seed_documents_are_loaded_once_and_pass_the_upload_checks():
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    titles = sorted(Document.objects.values_list("title", flat=True))
    assert titles == sorted(
        [
            "Desk research report",
            "Agenda of the fact-finding mission",
            *[f"Participant list of knowledge exchange {number}" for number in range(1, 5)],
            "Presentation of the Final Draft Concept",
        ]
    )
    assert DocumentVersion.objects.count() == len(titles)
    assert all(document.activity_id for document in Document.objects.all())


def test_the_participant_lists_count_what_the_activities_record():
    call_command("seed_demo", verbosity=0)
    for document in Document.objects.filter(title__startswith="Participant list").select_related("head", "activity"):
        with document.head.file.open("rb") as handle:
            rows = list(openpyxl.load_workbook(io.BytesIO(handle.read())).active.iter_rows(values_only=True))
        total = rows[-1][2]
        recorded = sum(document.activity.participations.values_list("participants", flat=True))
        assert rows[-1][0] == "Total" and total == recorded > 0
        assert document.activity.kind == Activity.Kind.KNOWLEDGE_EXCHANGE


def test_the_generated_pdfs_are_readable():
    call_command("seed_demo", verbosity=0)
    presentation = Document.objects.select_related("head").get(title="Presentation of the Final Draft Concept")
    with presentation.head.file.open("rb") as handle:
        text = PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()
    assert "The Final Draft Concept of the National Migration Policy" in text
    assert presentation.is_public  # the seed project is published: the presentation is on its page
