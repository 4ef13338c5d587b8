"""Start-up refuses a configuration it cannot understand, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-secret-key-for-the-deployment-check-0123456789abcdefghij",
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://mpf:secret@db.example.org:5432/mpf",
    "REDIS_URL": "redis://redis.example.org:6379/0",
    "IATI_REPORTING_ORG_REF": "XI-IATI-EXAMPLE",
}


def manage(*args, **variables):
    environment = {
        k: v for k, v in os.environ.items() if k not in PRODUCTION and k not in ("DATABASE_URL", "REDIS_URL")
    }
    environment.update(variables)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_development_defaults_need_no_variables():
    result = manage("check")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"DATABASE_URL": "nonsense://what"}, "DATABASE_URL"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"REDIS_URL": "http://redis:6379"}, "REDIS_URL"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"AWS_STORAGE_BUCKET_NAME": "mpf", "AWS_S3_ADDRESSING_STYLE": "sideways"}, "AWS_S3_ADDRESSING_STYLE"),
        ({"DOCUMENTS_MAX_FILE_BYTES": "50MB"}, "DOCUMENTS_MAX_FILE_BYTES"),
        ({"PROXY_COUNT": "-1"}, "PROXY_COUNT"),
        ({"OIDC_ISSUER": "https://id.example.org"}, "OIDC_CLIENT_ID"),
        ({"OIDC_ISSUER": "id.example.org", "OIDC_CLIENT_ID": "portal", "OIDC_CLIENT_SECRET": "s"}, "OIDC_ISSUER"),
        ({"OIDC_STAFF_PASSWORD_LOGIN": "perhaps"}, "OIDC_STAFF_PASSWORD_LOGIN"),
        ({"REPORT_REMINDER_DAYS": "two weeks"}, "REPORT_REMINDER_DAYS"),
        ({"REPORT_REMINDER_DAYS": "14,0"}, "REPORT_REMINDER_DAYS"),
        ({"REPORT_REMINDER_HOUR": "25"}, "REPORT_REMINDER_HOUR"),
    ],
)
def test_bad_production_setting_stops_start_up_naming_the_variable(variables, named):
    result = manage("check", **(PRODUCTION | variables))
    assert result.returncode != 0
    assert named in result.stderr


def test_production_settings_pass_the_deployment_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_with_single_sign_on_pass_the_deployment_check():
    sso = {"OIDC_ISSUER": "https://id.example.org", "OIDC_CLIENT_ID": "portal", "OIDC_CLIENT_SECRET": "s3cret"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **(PRODUCTION | sso))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_placeholder_iati_publisher_is_a_start_up_warning():
    default = manage("check")
    assert default.returncode == 0 and "dashboards.W001" in default.stderr and "XX-MPF-PORTAL" in default.stderr
    unregistered = manage("check", IATI_REPORTING_ORG_REF="ZZ-MPF-1")
    assert "dashboards.W002" in unregistered.stderr and "ZZ-" in unregistered.stderr
    registered = manage("check", "--fail-level", "WARNING", IATI_REPORTING_ORG_REF="XM-DAC-47143")
    assert registered.returncode == 0 and "dashboards.W00" not in registered.stderr


def test_seed_demo_refuses_to_run_with_debug_off_unless_told():
    result = manage("seed_demo", **(PRODUCTION | {"DATABASE_URL": "sqlite:////nonexistent/never-created.sqlite3"}))
    assert result.returncode != 0
    assert "--not-production" in result.stderr


@pytest.mark.parametrize(
    ("variables", "engine"),
    [({}, "django.contrib.sessions.backends.db"), (PRODUCTION, "django.contrib.sessions.backends.db")],
)
def test_sessions_live_in_the_database_whether_or_not_there_is_redis(variables, engine):
    """A copy of a session kept in Redis whose deletion failed (Redis unreachable at log-out) could sign
    the user in again once Redis is back: sessions are never kept in the cache."""
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    result = manage("shell", "-c", code, **variables)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == engine


def test_an_s3_compatible_store_is_chosen_by_naming_its_bucket():
    show = (
        "from django.core.files.storage import default_storage as s; s._setup(); w = s._wrapped; "
        "print(type(w).__name__, w.bucket_name, w.endpoint_url, w.default_acl, w.file_overwrite)"
    )
    local = manage("shell", "-c", show.replace(", w.bucket_name, w.endpoint_url, w.default_acl, w.file_overwrite", ""))
    assert local.returncode == 0 and local.stdout.split()[-1] == "FileSystemStorage", local.stderr
    s3 = manage(
        "shell",
        "-c",
        show,
        AWS_STORAGE_BUCKET_NAME="mpf-files",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_ACCESS_KEY_ID="key",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    assert s3.returncode == 0, s3.stderr
    assert s3.stdout.split()[-5:] == ["S3Storage", "mpf-files", "http://127.0.0.1:9000", "None", "False"]
