"""iCalendar (RFC 5545) feed of a project's activities, as all-day events.

Written in the request's language: titles and descriptions in their Russian version where
Russian is active and one is given (else in English), like the pages.

Each event's UID is the activity's id at the portal's own host name (PORTAL_BASE_URL), never
the host a request came through: a calendar subscribed through two addresses of the portal
(or in two languages) sees the same events once. The status follows the activity's: planned
and postponed ones are TENTATIVE, cancelled ones CANCELLED (so calendars strike them out
instead of dropping them unannounced), ongoing and completed ones CONFIRMED.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from common.markdown import render_markdown_text


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 §3.1), never inside a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _date(day: datetime.date) -> str:
    return day.strftime("%Y%m%d")


EVENT_STATUS = {"planned": "TENTATIVE", "postponed": "TENTATIVE", "cancelled": "CANCELLED"}


def event_status(activity) -> str:
    return EVENT_STATUS.get(activity.status, "CONFIRMED")


def uid_host() -> str:
    """The portal's host name, from PORTAL_BASE_URL (without port: a development server's port may change)."""
    return urlsplit(settings.PORTAL_BASE_URL).hostname or "mpf-portal"


def activities_calendar(project, activities, *, url_for) -> str:
    host = uid_host()
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//MPF Portal//Activities//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(project.localized('title'))}",
    ]
    for activity in activities:
        start, end = activity.start, max(activity.end, activity.start)
        description = render_markdown_text(activity.localized("description"))
        lines += [
            "BEGIN:VEVENT",
            f"UID:activity-{activity.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"LAST-MODIFIED:{activity.updated_at.astimezone(datetime.UTC).strftime('%Y%m%dT%H%M%SZ')}",
            f"DTSTART;VALUE=DATE:{_date(start)}",
            f"DTEND;VALUE=DATE:{_date(end + datetime.timedelta(days=1))}",  # exclusive end
            f"SUMMARY:{_escape(activity.localized('title'))}",
            f"LOCATION:{_escape(activity.location)}",
            f"DESCRIPTION:{_escape(description)}",
            f"CATEGORIES:{_escape(activity.get_kind_display())}",
            f"STATUS:{event_status(activity)}",
            f"URL:{url_for(activity)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
