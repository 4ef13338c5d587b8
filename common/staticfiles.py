"""Static files as production serves them, with each file's URL worked out once per process."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, hashed files; `url()` remembers its answers.

    The manifest is read once when the process starts and never changes while it runs, so the
    hashed URL of a file is the same on every page: no need to work it out again for each
    `{% static %}` tag. A missing file still raises, every time.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._known_urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force=True)
        try:
            return self._known_urls[name]
        except KeyError:
            url = self._known_urls[name] = super().url(name)
            return url
