"""Checks docker-compose.yml with the compose tool itself: `python -m tests.check_compose`.

Runs `docker-compose config -q` (or `docker compose config -q` when only that exists) with the
placeholder values of .env.example, so that the required variables are set, and a local .env
is not read. Exits non-zero with the tool's message when the file is invalid. With no compose
tool installed it says so and exits non-zero, unless COMPOSE_CHECK_OPTIONAL=1.
"""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
INSTALL_HINT = "apt-get install -y docker-compose (Debian), or install Docker's compose plugin"
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Result:
    ok: bool
    message: str
    tool_missing: bool = False


def compose_command() -> list[str] | None:
    """`docker-compose`, else `docker compose` if that plugin answers, else None."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def read_env_file(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """KEY=value lines; blank lines and # comments skipped."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip()
    return values


def example_variable_names() -> set[str]:
    """Every variable .env.example names, set or commented out."""
    names = set()
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        key, equals, _ = line.strip().lstrip("#").strip().partition("=")
        if equals and key.isidentifier() and key.isupper():
            names.add(key)
    return names


def check_compose(env_file: Path = ENV_EXAMPLE, compose_file: Path = COMPOSE_FILE) -> Result:
    """Validates `compose_file` with the variables of `env_file` (and only those, for the file's own)."""
    command = compose_command()
    if command is None:
        return Result(False, f"No compose tool found (docker-compose or docker compose): {INSTALL_HINT}.", True)
    placeholders = read_env_file(env_file)
    # The caller's own values for the variables .env.example names must not hide a missing one.
    named = set(placeholders) | example_variable_names()
    environment = {key: value for key, value in os.environ.items() if key not in named}
    environment.update(placeholders)
    completed = subprocess.run(
        [*command, "--env-file", str(env_file), "-f", str(compose_file), "config", "-q"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    message = (completed.stderr + completed.stdout).strip()
    if completed.returncode != 0:
        return Result(False, message or f"{' '.join(command)} config exited with {completed.returncode}")
    return Result(True, f"{compose_file.name} is valid ({' '.join(command)} config -q).")


def main() -> int:
    result = check_compose()
    if result.ok:
        print(result.message)
        return 0
    if result.tool_missing and os.environ.get("COMPOSE_CHECK_OPTIONAL", "").strip().lower() in _TRUE:
        print(f"{result.message} Skipped: COMPOSE_CHECK_OPTIONAL is set.")
        return 0
    print(f"docker-compose.yml check failed: {result.message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
