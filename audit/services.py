"""Writing the audit trail: `record` (one small insert) and `audit_purge` (retention)."""

from __future__ import annotations

import datetime
import ipaddress
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .context import current_request
from .models import AuditEntry, Kind

logger = logging.getLogger("mpf.audit")

MAX_DETAIL_KEYS = 20
MAX_DETAIL_TEXT = 200
MAX_DETAIL_LIST = 50
# Keys that could carry a secret or a document's text: never kept, whatever their value.
FORBIDDEN_DETAIL_WORDS = ("password", "token", "secret", "otp", "body", "text", "content", "quote")
SCALARS = (str, int, float, bool, type(None))


def _detail_value(value):
    if isinstance(value, str):
        return value[:MAX_DETAIL_TEXT]
    if isinstance(value, SCALARS):
        return value
    if isinstance(value, list | tuple) and all(isinstance(item, SCALARS) for item in value):
        return [item[:MAX_DETAIL_TEXT] if isinstance(item, str) else item for item in value[:MAX_DETAIL_LIST]]
    return str(value)[:MAX_DETAIL_TEXT] if isinstance(value, datetime.date | datetime.time) else None


def clean_details(details) -> dict:
    """A small flat dict of names and short values. What does not fit is left out (and logged), never raised:
    recording an action must not stop the action."""
    if not details:
        return {}
    if not isinstance(details, dict):
        logger.warning("Audit details dropped: not a dict (%s)", type(details).__name__)
        return {}
    cleaned = {}
    for key, value in list(details.items())[:MAX_DETAIL_KEYS]:
        if not isinstance(key, str) or any(word in key.lower() for word in FORBIDDEN_DETAIL_WORDS):
            logger.warning("Audit detail %r left out", key)
            continue
        kept = _detail_value(value)
        if kept is None and value is not None:
            logger.warning("Audit detail %r left out: %s values are not kept", key, type(value).__name__)
            continue
        cleaned[key[:50]] = kept
    return cleaned


def current_user():
    """The signed-in user of the request being answered, if any (None in a task or a command)."""
    user = getattr(current_request.get(), "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _person(user) -> tuple[object | None, str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return None, ""
    return user, user.get_username()[:150]


def _project_of(target, project) -> tuple[int | None, str]:
    if project is not None:
        return project.pk, str(getattr(project, "slug", "") or "")[:100]
    if target is not None and target._meta.label_lower == "projects.project":
        return target.pk, str(getattr(target, "slug", ""))[:100]
    project_id = getattr(target, "project_id", None) if target is not None else None
    return project_id, ""


def client_address(request) -> str | None:
    """The client's address: behind PROXY_COUNT proxies (AXES_IPWARE_PROXY_COUNT), the one the outermost
    of ours saw, which is that many entries from the end of X-Forwarded-For (entries further left are
    whatever the client claimed); otherwise the connection's own. None when it is not an IP address."""
    address = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            address = forwarded[-count]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _where(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    return client_address(request), request.headers.get("User-Agent", "")[:300]


def record(
    *,
    kind: str,
    actor=None,
    request=None,
    project=None,
    project_id: int | None = None,
    target=None,
    details: dict | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Writes one entry. `actor` defaults to the signed-in user of `request`, and `request` to the one
    being answered (AuditRequestMiddleware). `target` is the object acted on (its type, id and label
    are kept, and its project when it has one); `project` a project object, or `project_id`.

    `details`: a flat dict of short values (see clean_details); never passwords, tokens or text.
    A database error propagates as any other: the entry shares the action's transaction.
    """
    if kind not in Kind.values:
        raise ValueError(f"unknown audit kind {kind!r}")
    request = request if request is not None else current_request.get()
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    actor, name = _person(actor)
    found_id, project_label = _project_of(target, project)
    address, user_agent = _where(request)
    entry = AuditEntry(
        kind=kind,
        actor=actor,
        actor_name=name or actor_name[:150],
        project_id=project_id if project_id is not None else found_id,
        project_label=project_label,
        ip_address=address,
        user_agent=user_agent,
        details=clean_details(details),
    )
    if target is not None:
        entry.object_type = target._meta.label_lower
        entry.object_id = str(target.pk or "")[:64]
        entry.object_label = str(target)[:200]
    entry.save()
    return entry


def audit_purge(*, days: int | None = None) -> int:
    """Deletes the entries older than `days` (default AUDIT_RETENTION_DAYS; 0: keep everything); how many.

    The one path that deletes entries. On PostgreSQL the table's trigger lets a DELETE through only
    in a transaction marked `SET LOCAL mpf.audit_purge = 'on'`, which this does.
    """
    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    if days <= 0:
        return 0
    cutoff = timezone.now() - datetime.timedelta(days=days)
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            cursor.execute("SET LOCAL mpf.audit_purge = 'on'")
        cursor.execute(f"DELETE FROM {table} WHERE at < %s", [cutoff])  # noqa: S608 - a quoted table name
        deleted = cursor.rowcount
        if postgresql:
            # Inside an outer transaction SET LOCAL would last until that one ends: undone here. (A failed
            # DELETE rolls this block's savepoint back, and the setting with it.)
            cursor.execute("SET LOCAL mpf.audit_purge = 'off'")
    if deleted:
        logger.info("Audit purge: %s entries older than %s days deleted", deleted, days)
    return deleted
