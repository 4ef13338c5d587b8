"""The release identifier: a digest of the code that renders what the cache keeps.

It is the cache's key prefix (settings.CACHES), so a deploy that changes a template, the
Markdown sanitiser or any other module starts from an empty cache and never serves HTML that
older code rendered. `RELEASE_ID` in the environment overrides it (a build can pass its commit).
"""

import hashlib
import os
from pathlib import Path

# What is hashed: our Python modules and templates. Not the translations' compiled files (built on
# install) or the virtualenv: their changes come with a change of requirements or of a .po file.
SUFFIXES = {".py", ".html", ".txt", ".po", ".css", ".js"}
SKIPPED = {".venv", "var", "node_modules", ".git", "__pycache__", "bench", "tests", "static"}


def release_id(base_dir: Path) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for folder, subfolders, files in os.walk(base_dir):
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED and not name.startswith("."))
        for name in sorted(files):
            path = Path(folder, name)
            if path.suffix in SUFFIXES:
                digest.update(str(path.relative_to(base_dir)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
