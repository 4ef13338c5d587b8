"""Refusing an oversized upload before it is read: by its declared length, then as it streams in.

Django's own limits do not cover this: DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out, and
FILE_UPLOAD_MAX_MEMORY_SIZE only decides when an upload goes to a temporary file. A 2 GB upload
would be written to the web container's disk before any view saw it. Upload views check the
request's Content-Length first, and put `LimitedUploadHandler` in front of Django's handlers, which
stops reading the body at the first chunk past the limit (a request without Content-Length, or
with a false one, is stopped there too).
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# The form's other fields and the multipart framing, on top of the file itself.
FORM_ALLOWANCE = 64 * 1024


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) makes the file


def declared_too_large(request) -> bool:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return declared > settings.DOCUMENTS_MAX_FILE_BYTES + FORM_ALLOWANCE


def limit_uploads(request) -> LimitedUploadHandler:
    """Puts the limiting handler first; call before anything reads request.POST or request.FILES."""
    handler = LimitedUploadHandler(request, limit=settings.DOCUMENTS_MAX_FILE_BYTES)
    request.upload_handlers.insert(0, handler)
    return handler
