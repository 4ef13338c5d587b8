"""Who has a section open for editing: a light indicator kept in the cache (Redis in production)."""

import time

from django.core.cache import cache

PRESENCE_SECONDS = 45  # an editor who stops polling for this long is no longer shown


def _key(section_id: int) -> str:
    return f"concepts:presence:{section_id}"


def presence_touch(*, section_id: int, user) -> None:
    now = time.time()
    editors = {uid: seen for uid, seen in cache.get(_key(section_id), {}).items() if now - seen[1] < PRESENCE_SECONDS}
    editors[user.pk] = (user.get_full_name() or user.username, now)
    cache.set(_key(section_id), editors, PRESENCE_SECONDS * 2)


def presence_leave(*, section_id: int, user) -> None:
    editors = cache.get(_key(section_id), {})
    editors.pop(user.pk, None)
    cache.set(_key(section_id), editors, PRESENCE_SECONDS * 2)


def presence_others(*, section_id: int, user) -> list[str]:
    now = time.time()
    editors = cache.get(_key(section_id), {})
    return sorted(name for uid, (name, seen) in editors.items() if uid != user.pk and now - seen < PRESENCE_SECONDS)


def presence_by_section(*, section_ids, user) -> dict[int, list[str]]:
    """Who else is editing each of these sections: one cache read for them all (the contents of a long concept)."""
    now = time.time()
    found = cache.get_many([_key(section_id) for section_id in section_ids])
    editing = {}
    for section_id in section_ids:
        editors = found.get(_key(section_id)) or {}
        names = sorted(
            name for uid, (name, seen) in editors.items() if uid != user.pk and now - seen < PRESENCE_SECONDS
        )
        if names:
            editing[section_id] = names
    return editing
