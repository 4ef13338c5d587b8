"""The deployment files: docker-compose.yml is valid and safe, the Dockerfile builds a non-root image.

No database needed. The compose check needs docker-compose (or `docker compose`): without it
the test is skipped, unless E2E_REQUIRED=1 (as in CI), which makes that a failure.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.check_compose import ENV_EXAMPLE, INSTALL_HINT, check_compose, read_env_file

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
REQUIRED_SERVICES = {"postgres", "redis", "web", "worker"}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE", re.IGNORECASE)
VARIABLE = re.compile(r"\$\{[A-Z_][A-Z0-9_]*(:?[-?][^}]*)?\}")


def _required() -> bool:
    return os.environ.get("E2E_REQUIRED", "").strip().lower() in {"1", "true", "yes", "on"}


def _skip_or_fail(reason: str):
    if _required():
        pytest.fail(f"{reason}. E2E_REQUIRED=1, so this check must run.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def compose() -> dict:
    try:
        import yaml
    except ImportError:
        _skip_or_fail("PyYAML is not installed (it belongs in requirements-dev.txt)")
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _environment(service: dict) -> dict:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    return environment


def _command(service: dict) -> str:
    command = service.get("command") or ""
    return " ".join(command) if isinstance(command, list) else command


# (a) The compose tool accepts the file.


def test_compose_file_is_valid_with_the_example_variables():
    result = check_compose()
    if result.tool_missing:
        _skip_or_fail(f"no compose tool installed: {INSTALL_HINT}")
    assert result.ok, result.message


def test_compose_refuses_to_start_without_a_secret_key(tmp_path):
    placeholders = read_env_file(ENV_EXAMPLE)
    assert {"SECRET_KEY", "POSTGRES_PASSWORD", "ALLOWED_HOSTS"} <= set(placeholders)
    del placeholders["SECRET_KEY"]
    env_file = tmp_path / "env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in placeholders.items()))
    result = check_compose(env_file=env_file)
    if result.tool_missing:
        _skip_or_fail(f"no compose tool installed: {INSTALL_HINT}")
    assert not result.ok
    assert "SECRET_KEY" in result.message


# (b) What the file says.


def test_compose_has_the_services(compose):
    assert set(compose["services"]) >= REQUIRED_SERVICES


def test_web_runs_in_production_mode_with_no_literal_secrets(compose):
    for name in ("web", "worker", "migrate"):
        environment = _environment(compose["services"][name])
        assert str(environment["DEBUG"]) == "0", name
        assert VARIABLE.fullmatch(environment["SECRET_KEY"]), f"{name}: SECRET_KEY must come from a variable"
        assert re.fullmatch(
            r"postgres://mpf:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432/mpf", environment["DATABASE_URL"]
        )
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["MEDIA_ROOT"] == "/data/media"


def test_no_literal_secret_anywhere_in_the_compose_file(compose):
    for name, service in compose["services"].items():
        for key, value in _environment(service).items():
            if SECRET_NAME.search(key) and value is not None:
                assert VARIABLE.fullmatch(str(value)), f"{name}: {key} is written in the file"


def test_worker_runs_celery_and_shares_the_media_volume(compose):
    services = compose["services"]
    command = _command(services["worker"])
    assert command.startswith("celery -A mpf_portal worker"), command
    assert "--max-memory-per-child" in command
    assert "media:/data/media" in services["worker"]["volumes"]
    assert "media:/data/media" in services["web"]["volumes"]


def test_only_the_proxy_publishes_a_port_so_that_web_can_be_scaled(compose):
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert "8000" in [str(port) for port in services["web"]["expose"]]
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_proxy_spreads_requests_over_every_web_container(compose):
    volume = next(v for v in compose["services"]["proxy"]["volumes"] if "nginx.conf" in v)
    config = (ROOT / volume.split(":")[0].removeprefix("./")).read_text()
    assert "resolver 127.0.0.11 valid=" in config  # Docker's DNS, asked again: scaled containers are found
    assert "proxy_pass $web;" in config and "set $web http://web:8000;" in config
    assert "proxy_set_header Host $http_host;" in config
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in config


def test_login_throttling_counts_the_compose_files_own_proxy(compose):
    # Without it every client would share the proxy's address, and one attacker would lock everyone out.
    assert _environment(compose["services"]["web"])["PROXY_COUNT"] == "${PROXY_COUNT:-1}"


def test_gunicorns_timeout_is_set_in_the_image():
    command = DOCKERFILE.read_text()
    assert '"--timeout", "30"' in command


def test_migrations_run_once_before_web_and_worker(compose):
    services = compose["services"]
    assert _command(services["migrate"]) == "python manage.py migrate --noinput"
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "migrate" not in _command(services[name])
        for backing in ("postgres", "redis"):
            assert services[name]["depends_on"][backing]["condition"] == "service_healthy"


def test_every_long_running_service_has_a_healthcheck(compose):
    for name in ("postgres", "redis", "web", "worker"):
        assert compose["services"][name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(compose["services"]["web"]["healthcheck"]["test"])


# (c) The Dockerfile.


def _instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def test_dockerfile_builds_on_python_311_slim():
    froms = [argument for instruction, argument in _instructions() if instruction == "FROM"]
    assert froms and froms[0].split()[0].startswith("python:3.11-slim")


def test_dockerfile_runs_as_a_non_root_user():
    users = [argument.strip() for instruction, argument in _instructions() if instruction == "USER"]
    assert users, "no USER instruction"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_dockerfile_bakes_no_secret_into_the_image():
    for instruction, argument in _instructions():
        if instruction in {"ENV", "ARG"}:
            assert not SECRET_NAME.search(argument), f"{instruction} {argument}"


def test_dockerfile_checks_health_and_serves_with_gunicorn():
    instructions = dict(_instructions())
    assert "/healthz" in instructions["HEALTHCHECK"]
    assert "gunicorn" in instructions["CMD"] and "mpf_portal.wsgi" in instructions["CMD"]
    assert instructions["EXPOSE"] == "8000"


def test_env_file_is_git_ignored():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0, ".env holds the deployment's secrets: add `.env` to .gitignore"
