import pytest


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Each test its own folder, so that "nothing was stored" can be checked on the disk."""
    settings.MEDIA_ROOT = tmp_path / "media"
