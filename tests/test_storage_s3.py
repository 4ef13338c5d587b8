"""Stored files on an S3-compatible object store: a real S3 server (moto's) on loopback, started by the tests.

The portal reaches it through django-storages, configured as the settings do when
AWS_STORAGE_BUCKET_NAME is set; nothing is written to the local disk.
"""

import uuid
from pathlib import Path

import boto3
import pytest
from django.urls import reverse
from moto.server import ThreadedMotoServer

from concepts.rendering import services as rendering
from concepts.tests.factories import ConceptFactory, concept_objects
from dashboards.models import ExportJob
from dashboards.publication import iati_public_file_build
from documents.models import Visibility
from documents.tests.factories import PDF_BYTES, pdf_upload, upload_document

pytestmark = pytest.mark.django_db
CREDENTIALS = {"aws_access_key_id": "portal-test", "aws_secret_access_key": "portal-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    """A new bucket, and the default storage pointed at it as mpf_portal/settings.py would."""
    name = f"mpf-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **CREDENTIALS)
    client.create_bucket(Bucket=name)
    options = {
        "bucket_name": name,
        "endpoint_url": s3_endpoint,
        "region_name": "us-east-1",
        "access_key": CREDENTIALS["aws_access_key_id"],
        "secret_key": CREDENTIALS["aws_secret_access_key"],
        "addressing_style": "path",
        "default_acl": None,
        "file_overwrite": False,
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }

    def keys(prefix=""):
        listed = client.list_objects_v2(Bucket=name, Prefix=prefix)
        return [entry["Key"] for entry in listed.get("Contents", [])]

    return keys


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def local_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_an_uploaded_document_goes_to_the_bucket_and_comes_back_whole(client_for, project, bucket, settings):
    client = client_for("manager")
    response = client.post(
        reverse("documents:upload", args=[project.slug]),
        {
            "upload": pdf_upload("Mission agenda.pdf"),
            "title": "Mission agenda",
            "category": "A02",
            "languages": ["en"],
            "visibility": "team",
        },
    )
    assert response.status_code == 302
    stored = bucket("documents/")
    assert len(stored) == 1 and stored[0].startswith(f"documents/{project.pk}/")
    assert local_files(settings) == []
    document_id = int(response.url.rstrip("/").rsplit("/", 1)[1])
    download = client.get(reverse("documents:download", args=[project.slug, document_id]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    ranged = client.get(reverse("documents:download", args=[project.slug, document_id]), HTTP_RANGE="bytes=0-7")
    assert ranged.status_code == 206 and b"".join(ranged.streaming_content) == PDF_BYTES[:8]


def test_a_refused_upload_leaves_the_bucket_empty(client_for, project, bucket, users):
    upload_document(project, users["manager"], visibility=Visibility.PUBLIC)
    assert len(bucket("documents/")) == 1
    response = client_for("manager").post(
        reverse("documents:upload", args=[project.slug]),
        {
            "upload": pdf_upload("agenda.docx"),
            "title": "x",
            "category": "A02",
            "languages": ["en"],
            "visibility": "team",
        },
    )
    assert "does not match" in response.content.decode()
    assert len(bucket("documents/")) == 1


def test_the_public_iati_file_is_written_to_the_bucket_and_served_from_it(client, published_project, bucket, settings):
    public = iati_public_file_build(force=True)
    assert bucket("public/iati/") == [public.file.name]
    response = client.get(reverse("iati_activities"))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and body.startswith(b"<?xml") and published_project.code.encode() in body
    assert local_files(settings) == []


def test_an_export_prepared_by_a_worker_is_kept_in_the_bucket_and_downloaded_whole(client_for, users, bucket):
    from dashboards.exporting import export_job_run

    job = ExportJob.objects.create(user=users["donor"], kind="transactions", fmt="csv", filename="mpf-transactions.csv")
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and bucket() == [job.file.name]
    response = client_for("donor").get(reverse("dashboards:export_download", args=[job.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"\xef\xbb\xbf")


def test_a_rendered_pdf_is_kept_in_the_bucket_and_downloaded_whole(client_for, project, users, bucket, settings):
    concept = ConceptFactory(project=project)
    concept_objects(concept, author=users["drafter"])
    job = rendering.render_job_request(kind="draft", concept=concept, user=users["drafter"])
    finished = rendering.render_job_run(job_id=job.pk)
    assert finished.status == "done" and bucket("renders/") == [finished.file.name]
    response = client_for("reviewer").get(reverse("concepts:render_download", args=[concept.pk, job.pk]))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and body.startswith(b"%PDF-") and len(body) == finished.file_size
    assert local_files(settings) == []
