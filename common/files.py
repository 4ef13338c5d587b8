"""Stored files served as a static-file server would: ETag, Last-Modified, conditional GET and byte ranges."""

import re

from django.http import FileResponse, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_etags

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


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
        with field_file.open("rb") as handle:
            handle.seek(first)
            body = handle.read(last - first + 1)
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
        return HttpResponse(body, status=206, content_type=content_type, headers=headers)
    response = FileResponse(field_file.open("rb"), content_type=content_type)
    for name, value in headers.items():
        response[name] = value
    return response
