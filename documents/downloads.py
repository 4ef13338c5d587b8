"""A stored document version as a download: always an attachment, with the type the portal detected."""

from django.http import Http404
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from common.files import stored_file_response

from .models import DocumentVersion

# Even if a browser were persuaded to render it, the file runs no script and loads nothing.
SANDBOX = "default-src 'none'; sandbox"


def attachment_response(request, version: DocumentVersion, *, public: bool):
    if not version.file or not version.file.storage.exists(version.file.name):
        raise Http404("The file is missing.")
    response = stored_file_response(
        request,
        version.file,
        etag=version.sha256,
        modified=version.uploaded_at,
        size=version.size,
        content_type=version.content_type,
    )
    response["Content-Disposition"] = content_disposition_header(True, version.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    if public:
        patch_cache_control(response, public=True, no_cache=True)
    else:  # revalidated on every use, so that access is decided again; never kept by a shared cache
        patch_cache_control(response, private=True, no_cache=True)
    return response
