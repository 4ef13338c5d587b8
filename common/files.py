"""Stored files served as a static-file server would: ETag, Last-Modified, conditional GET and byte ranges."""

import re

from django.http import FileResponse, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils.http import http_date, parse_etags

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024  # bytes read at a time for a byte range: a range of a large file is never held whole


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) of a single `Range: bytes=…` the file can answer; None when there is none."""
    match = _RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        length = int(last)
        return (max(size - length, 0), size - 1) if length else None
    first_byte = int(first)
    last_byte = min(int(last), size - 1) if last else size - 1
    if first_byte > last_byte:
        return None
    return first_byte, last_byte


def stored_file_response(request, field_file, *, etag: str, modified, size: int, content_type: str):
    """The stored file (a FieldFile) for a GET or HEAD: 304 when the client has it, 206 for one byte range."""
    quoted = f'"{etag}"'
    if quoted in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
        response["ETag"] = quoted
        return response
    headers = {"ETag": quoted, "Last-Modified": http_date(modified.timestamp()), "Accept-Ranges": "bytes"}
    requested = request.headers.get("Range")
    if requested and request.headers.get("If-Range", quoted) == quoted:
        window = _byte_range(requested, size)
        if window is None:
            return HttpResponse(status=416, headers={"Content-Range": f"bytes */{size}"})
        first, last = window
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
        headers["Content-Length"] = str(last - first + 1)
        handle = field_file.open("rb")  # opened here: a missing file is the view's error, not the stream's
        handle.seek(first)
        chunks = _ByteRange(handle, last - first + 1)
        return StreamingHttpResponse(chunks, status=206, content_type=content_type, headers=headers)
    response = FileResponse(field_file.open("rb"), content_type=content_type)
    for name, value in headers.items():
        response[name] = value
    return response


class _ByteRange:
    """`length` bytes of an open file from where it stands, read a chunk at a time; the response closes
    the file (`close`) when it is done, also when the client leaves before the end."""

    def __init__(self, handle, length: int):
        self.handle, self.length = handle, length

    def __iter__(self):
        remaining = self.length
        while remaining > 0:
            chunk = self.handle.read(min(_CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk

    def close(self) -> None:
        self.handle.close()
