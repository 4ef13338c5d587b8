"""Renders through a real Redis broker and a real Celery worker process, with faults.

Needs REDIS_URL and PostgreSQL (the worker is another process: it must see the rows this test
commits). CI's PostgreSQL run sets both; locally:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mpf_pdf REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/pytest concepts/tests/test_render_worker.py

Each test starts `celery -A mpf_portal worker --pool=prefork --concurrency=1` on a queue of its
own (RENDER_QUEUE), pointed at the test database, and removes that queue from Redis afterwards.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from concepts import services as concept_services
from concepts.models import RenderJob
from concepts.rendering import services
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.tests.factories import ProjectFactory, UserFactory

REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not REDIS_URL, reason="Integration test: set REDIS_URL and a PostgreSQL DATABASE_URL to run it."
    ),
    pytest.mark.django_db(transaction=True),
]
BASE_DIR = Path(settings.BASE_DIR)
WAIT = 240  # seconds: upper bound of any wait below (a bound, not a timing assertion)
PARAGRAPH = (
    "The national authorities review the procedures for the reception of applicants and report on the "
    "progress made in each region, with figures that the working group checks every quarter. " * 4
)


@pytest.fixture(autouse=True)
def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("Integration test: needs PostgreSQL, so that the worker process sees the test database.")


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


class Worker:
    def __init__(self, queue: str, media_root: Path, log: Path, extra_env: dict):
        self.queue, self.log = queue, log
        self.node = f"render-test-{uuid.uuid4().hex[:8]}@%h"
        self.env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": REDIS_URL,
            "RENDER_QUEUE": queue,
            "MEDIA_ROOT": str(media_root),
            "DJANGO_SETTINGS_MODULE": "mpf_portal.settings",
            **extra_env,
        }
        self.process = None

    def start(self) -> "Worker":
        command = [sys.executable, "-m", "celery", "-A", "mpf_portal", "worker", "--pool=prefork", "--concurrency=1",
                   "-Q", self.queue, "-n", self.node, "--loglevel=INFO", "--without-gossip",
                   "--without-mingle"]  # fmt: skip
        output = self.log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=BASE_DIR, env=self.env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_for(lambda: "ready." in self.log.read_text(errors="replace") or self.process.poll() is not None)
        assert self.process.poll() is None, self.log.read_text(errors="replace")[-3000:]
        return self

    def kill(self) -> None:
        """kill -9 of the worker and its pool process: a crash, nothing cleaned up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def wait_for(condition, seconds: float = WAIT):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up after {seconds} s")


def job_status(job_id: int) -> str:
    return RenderJob.objects.values_list("status", flat=True).get(pk=job_id)


def finished(job_id: int) -> RenderJob:
    wait_for(lambda: job_status(job_id) in ("done", "failed"))
    return RenderJob.objects.get(pk=job_id)


@pytest.fixture
def queue(settings):
    name = f"renders-test-{uuid.uuid4().hex[:12]}"
    settings.RENDER_QUEUE = name
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = REDIS_URL
    yield name
    _forget_queue(name)


def _forget_queue(name: str) -> None:
    """Removes what the test left in Redis: the queue, its unacknowledged messages, its bindings."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.delete(name, f"_kombu.binding_permanent.{name}", f"_kombu.binding.{name}")
    for tag, payload in client.hscan_iter("unacked"):
        if name.encode() in payload:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    for key in client.scan_iter("_kombu.binding.*"):
        for member in client.smembers(key):
            if name.encode() in member or b"render-test-" in member:
                client.srem(key, member)


@pytest.fixture
def start_worker(transactional_db, queue, settings, tmp_path):
    """start_worker(**env) starts a worker on the test's queue; all are stopped at the end."""
    settings.MEDIA_ROOT = tmp_path / "media"
    workers = []

    def start(**extra_env):
        worker = Worker(queue, settings.MEDIA_ROOT, tmp_path / f"worker-{len(workers)}.log", extra_env)
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def drafter():
    return UserFactory(username="render-drafter")


def make_edition(sections: int, paragraphs: int, user, *, title="Integration concept"):
    concept = ConceptFactory(project=ProjectFactory(), title=title)
    for position in range(1, sections + 1):
        body = "\n\n".join([PARAGRAPH] * paragraphs)
        section_with_version(concept, title=f"Chapter {position}", body=body, author=user, position=position)
    return concept_services.edition_create(
        concept=concept, name="Final draft", date=datetime.date(2026, 3, 5), is_final=True, user=user
    )


def test_a_worker_renders_the_pdf_and_a_duplicate_request_gets_the_same_job(start_worker, drafter):
    start_worker()
    edition = make_edition(3, 4, drafter)
    job = services.render_job_request(kind="pdf", edition=edition, user=drafter)
    assert not job.queue_unavailable and job.queued_at is not None
    duplicate = services.render_job_request(kind="pdf", edition=edition, user=drafter)
    assert duplicate.pk == job.pk and duplicate.reused
    done = finished(job.pk)
    assert done.status == "done", done.error
    assert done.attempts == 1 and done.page_count >= 4
    assert done.file.read(5) == b"%PDF-"
    again = services.render_job_request(kind="pdf", edition=edition, user=drafter)
    assert again.pk == job.pk and again.status == "done"  # served at once, nothing rendered again
    assert RenderJob.objects.count() == 1


def test_a_worker_killed_mid_render_does_not_leave_the_job_running(start_worker, drafter):
    worker = start_worker()
    edition = make_edition(30, 12, drafter, title="A long concept")  # about 90 pages: several seconds
    job = services.render_job_request(kind="pdf", edition=edition, user=drafter)
    wait_for(lambda: job_status(job.pk) != "queued")
    worker.kill()
    was_running = job_status(job.pk) == "running"  # the usual case: killed while rendering
    start_worker()
    # A dead worker's job looks like a running one until the hard time limit has passed; the
    # recovery is told here that it has (the test does not wait RENDER_TIME_LIMIT + margin).
    result = services.render_jobs_requeue_stale(running_after=datetime.timedelta(0))
    assert not result.broker_down
    assert result.restarted == (1 if was_running else 0)
    done = finished(job.pk)
    assert done.status in ("done", "failed")
    assert done.attempts == (2 if was_running else 1)
    if done.status == "done":
        assert done.file.read(5) == b"%PDF-" and done.page_count > 50


def test_a_broker_outage_keeps_the_request_and_the_recovery_sends_it_when_the_broker_is_back(
    start_worker, drafter, settings
):
    start_worker()
    edition = make_edition(2, 3, drafter)
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # the web process cannot reach the broker
    job = services.render_job_request(kind="pdf", edition=edition, user=drafter)
    assert job.queue_unavailable and job.status == "queued"
    assert str(services.UNAVAILABLE_MESSAGE).startswith("Rendering is unavailable right now")
    job.refresh_from_db()
    assert job.queued_at is None
    assert services.render_jobs_requeue_stale().broker_down  # still down: kept, not lost
    settings.CELERY_BROKER_URL = REDIS_URL  # the broker is back
    assert services.render_jobs_requeue_stale().sent == 1
    done = finished(job.pk)
    assert done.status == "done", done.error


def test_a_pathological_document_fails_at_the_soft_time_limit_and_the_worker_goes_on(start_worker, drafter):
    worker = start_worker(RENDER_SOFT_TIME_LIMIT="3", RENDER_TIME_LIMIT="30")
    concept = ConceptFactory(project=ProjectFactory(), title="Pathological")
    section_with_version(concept, title="One very long word", body="x" * 60_000, author=drafter)
    job = services.render_job_request(kind="draft", concept=concept, user=drafter)
    failed = finished(job.pk)
    assert failed.status == "failed" and "took too long" in failed.error
    assert worker.process.poll() is None  # the worker lives on and renders the next job
    edition = make_edition(1, 2, drafter)
    assert finished(services.render_job_request(kind="pdf", edition=edition, user=drafter).pk).status == "done"
