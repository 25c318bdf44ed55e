"""Sending to live sockets. Called only after a transaction commits (services register it with on_commit).

One path: a service writes, logs the event (maps.services.map_event_emit) and, after commit, this module
puts it on the channel layer, JSON-encoded once; every server process's hub (live/hub.py) gets it once and
hands the text to its sockets on the map. With channels-redis' pub/sub
layer a group send is one Redis PUBLISH, done here with a plain (sync) Redis client so that any process,
the background worker included, can send without an event loop.
"""
import asyncio
import functools
import json
import logging
import threading

from channels.layers import get_channel_layer
from django.conf import settings

log = logging.getLogger(__name__)


def map_group(map_id: int) -> str:
    return f"map-{map_id}"


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def district_group(code: str) -> str:
    return f"district-{code}"


@functools.lru_cache(maxsize=4)
def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def redis_url() -> str:
    return getattr(settings, "LIVE_REDIS_URL", "") or ""


def group_send(group: str, message: dict) -> None:
    """Put a message on the channel layer for a group, from sync code (never raises: live is best effort,
    the event log and REST reads are the truth)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        if type(layer).__name__ == "RedisPubSubChannelLayer" and redis_url():
            prefix = settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "asgi")
            _redis_client(redis_url()).publish(f"{prefix}__group__{group}", layer.serialize(message))
            return
        # Any other layer (the in-memory one of a single process): its own async API, from a thread of
        # our own so that a loop already running in this thread (Playwright's sync API) is no obstacle.
        _run_in_thread(layer.group_send(group, message))
    except Exception:  # noqa: BLE001 - a failed broadcast must not fail the write that committed
        log.exception("live: could not send to %s", group)


def _run_in_thread(coroutine) -> None:
    errors = []

    def run():
        try:
            asyncio.run(coroutine)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=5)
    if errors:
        raise errors[0]


def map_broadcast(*, map_id: int, revision: int, audience: str, author_id: int | None, message: dict) -> None:
    """A logged map event to every socket on the map; each socket decides whether its person may see it."""
    group_send(map_group(map_id), {"type": "map.event", "map_id": map_id, "revision": revision, "audience": audience,
                                   "author_id": author_id, "text": json.dumps(message, ensure_ascii=False)})


def map_access_changed(*, map_id: int) -> None:
    """Who may view or edit the map changed (collaborators, secret links, visibility, deletion):
    every socket on it checks again at once and the ones no longer allowed are closed (4403)."""
    group_send(map_group(map_id), {"type": "map.access", "map_id": map_id})


def user_send(*, user_id: int, message: dict) -> None:
    """A message to one person's open pages (job progress, notifications, their reports)."""
    group_send(user_group(user_id), {"type": "user.event", "text": json.dumps(message, ensure_ascii=False)})


def district_send(*, codes, message: dict) -> None:
    """A message to the officers watching the review queue of these districts."""
    text = json.dumps(message, ensure_ascii=False)
    for code in set(codes):
        group_send(district_group(code), {"type": "user.event", "text": text})
