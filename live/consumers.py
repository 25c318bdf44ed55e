"""WebSocket consumers: as thin as the REST views. They authenticate and authorise through the maps'
access helper and model rules, call the same services, and relay only the events services logged after
commit. The protocol is in docs/live.md."""
import asyncio
import json
import logging
import time
from urllib.parse import parse_qs

import functools

from channels.db import DatabaseSyncToAsync
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from rest_framework.exceptions import ValidationError as DrfValidationError

from .presence import BROADCAST_DELAY, PRESENCE_TTL, presence_state, presence_store
from .services import map_group, user_group

log = logging.getLogger(__name__)

# Database work of sockets runs in a thread pool, not in the one thread Django's sync views share under ASGI
# (thread_sensitive): 500 sockets joining at once, or one editor's writes, do not queue behind each other's
# queries. Each call gets a fresh connection check, as channels' database_sync_to_async does.
database_sync_to_async = functools.partial(DatabaseSyncToAsync, thread_sensitive=False)

CLOSE_FORBIDDEN = 4403
CLOSE_IDLE = 4408
REPLAY_MAX = 500
TICK = 5.0


def _error_detail(exc) -> str:
    if isinstance(exc, DrfValidationError):
        return json.dumps(exc.detail, ensure_ascii=False, default=str)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


class MapConsumer(AsyncWebsocketConsumer):
    """`/ws/maps/<id>/`: join = may view (as REST GET); edit operations = the REST rules, per operation."""

    map_id = None
    joined = False

    # --- connecting ---------------------------------------------------------------------------------
    async def connect(self):
        self.map_id = int(self.scope["url_route"]["kwargs"]["map_id"])
        query = parse_qs(self.scope.get("query_string", b"").decode("latin1"))
        self.secret = (query.get("key") or [""])[0][:100]
        self.user = self.scope.get("user")
        access = await self._access()
        if access is None:
            await self.close()  # before accept: the handshake is refused with HTTP 403
            return
        self.access = access
        self.group = map_group(self.map_id)
        self.floor, self.sent = 0, set()
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.joined = True
        await self.accept()
        self.last_heard = time.monotonic()
        self.selected = None
        self.store = presence_store()
        await self._send({"type": "hello", "map": self.map_id, "revision": access["revision"],
                          "permissions": access["permissions"], "you": access["name"],
                          "socket": self.channel_name[-8:]})
        since = (query.get("since") or [None])[0]
        if since is not None and since.lstrip("-").isdigit():
            await self._replay(int(since), access["revision"])
        else:
            self.floor = access["revision"]
        await self._presence_put()
        self.ticker = asyncio.ensure_future(self._tick())

    async def disconnect(self, code):
        if not self.joined:
            return
        self.joined = False
        ticker = getattr(self, "ticker", None)
        if ticker:
            ticker.cancel()
        await self.channel_layer.group_discard(self.group, self.channel_name)
        try:
            await self.store.remove(self.map_id, self.channel_name)
            await self._presence_changed()
        except Exception:  # noqa: BLE001 - Redis gone: the entry expires on its own
            log.warning("live: presence cleanup failed", exc_info=True)

    @database_sync_to_async
    def _access(self):
        from maps import selectors

        try:
            map_obj = selectors.map_get_for(user=self.user, pk=self.map_id, secret=self.secret)
        except Http404:
            return None
        user, secret = self.user, self.secret
        signed_in = bool(user and user.is_authenticated)
        return {
            "revision": map_obj.revision,
            "user_id": user.pk if signed_in else None,
            "name": user.public_name if signed_in else "",
            "permissions": {"view": True, "edit": map_obj.can_edit(user, secret),
                            "contribute": map_obj.can_contribute(user, secret),
                            "suggest": map_obj.can_suggest(user, secret),
                            "moderate": map_obj.can_moderate(user, secret)},
        }

    # --- events from the channel layer -----------------------------------------------------------------
    def _visible(self, audience, author_id) -> bool:
        return (audience == "everyone" or self.access["permissions"]["moderate"]
                or (author_id is not None and author_id == self.access["user_id"]))

    async def map_event(self, event):
        revision = event["revision"]
        if revision <= self.floor or revision in self.sent:
            return
        self.sent.add(revision)
        if len(self.sent) > 256:
            self.floor = max(self.floor, min(self.sent))
            self.sent = {r for r in self.sent if r > self.floor}
        if self._visible(event["audience"], event.get("author_id")):
            await self.send(text_data=event["text"])

    async def map_access(self, event):
        access = await self._access()
        if access is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        changed = access["permissions"] != self.access["permissions"]
        self.access = {**access, "revision": self.access["revision"]}
        if changed:
            await self._send({"type": "permissions", "permissions": access["permissions"]})
            await self._presence_put()

    async def presence_state(self, event):
        await self.send(text_data=event["text"])

    async def _replay(self, since: int, revision: int):
        events, refetch = await self._events_since(since, revision)
        if refetch:
            await self._send({"type": "refetch", "revision": revision})
        else:
            for e in events:
                if self._visible(e.audience, e.author_id_seen):
                    await self.send(text_data=json.dumps(e.payload, ensure_ascii=False))
        self.floor = max(self.floor, revision)
        self.sent = {r for r in self.sent if r > self.floor}

    @database_sync_to_async
    def _events_since(self, since: int, revision: int):
        from maps.models import MapEvent

        if since >= revision:
            return [], since > revision
        events = list(MapEvent.objects.filter(map_id=self.map_id, revision__gt=since, revision__lte=revision)
                      .order_by("revision")[:REPLAY_MAX + 1])
        complete = (len(events) == revision - since and len(events) <= REPLAY_MAX
                    and (not events or events[0].revision == since + 1))
        return events, not complete

    # --- messages from the client ---------------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None):
        self.last_heard = time.monotonic()
        try:
            message = json.loads(text_data or "")
            if not isinstance(message, dict):
                raise ValueError
        except ValueError:
            await self._send({"type": "error", "status": 400, "detail": "Send JSON objects with a type."})
            return
        kind, ref = message.get("type"), message.get("ref")
        if kind == "ping":
            await self._send({"type": "pong", "ref": ref})
            await self._presence_put(announce=False)
        elif kind == "presence":
            selected = message.get("selected")
            self.selected = selected if isinstance(selected, int) else None
            await self._presence_put()
        elif kind == "sync":
            since = message.get("since")
            if isinstance(since, int):
                access = await self._access()
                if access is None:
                    await self.close(code=CLOSE_FORBIDDEN)
                    return
                self.floor, self.sent = since, set()
                await self._replay(since, access["revision"])
        elif kind in ("feature.create", "feature.update", "feature.delete"):
            await self._edit(kind, ref, message)
        else:
            await self._send({"type": "error", "ref": ref, "status": 400, "detail": f"Unknown type {kind!r}."})

    async def _edit(self, kind, ref, message):
        from maps.services import FeatureConflict

        try:
            answer = await self._edit_sync(kind, message)
        except FeatureConflict as conflict:
            current = await database_sync_to_async(self._public)(conflict.feature)
            await self._send({"type": "conflict", "ref": ref, "id": conflict.feature.pk,
                              "fields": conflict.fields, "current": current})
            return
        except (Http404, ObjectDoesNotExist):
            await self._send({"type": "error", "ref": ref, "status": 404, "detail": "No such feature."})
            return
        except PermissionDenied as exc:
            await self._send({"type": "error", "ref": ref, "status": 403, "detail": str(exc)})
            return
        except (ValidationError, DrfValidationError, TypeError, ValueError) as exc:
            await self._send({"type": "error", "ref": ref, "status": 400, "detail": _error_detail(exc)})
            return
        except Exception:  # noqa: BLE001 - one bad operation must not take the socket down
            log.exception("live: edit failed")
            await self._send({"type": "error", "ref": ref, "status": 500, "detail": "The server failed."})
            return
        await self._send({"type": "ack", "ref": ref, **answer})

    @staticmethod
    def _public(feature):
        from maps.services import feature_public

        return feature_public(feature)

    @database_sync_to_async
    def _edit_sync(self, kind, message):
        from django.db import close_old_connections

        from maps import selectors, services
        from maps.serializers import FeatureInputSerializer, FeatureUpdateSerializer

        close_old_connections()
        map_obj = selectors.map_get_for(user=self.user, pk=self.map_id, secret=self.secret)
        if kind == "feature.create":
            serializer = FeatureInputSerializer(data=message.get("feature") or {})
            serializer.is_valid(raise_exception=True)
            feature = services.feature_create(map_obj=map_obj, actor=self.user, secret=self.secret,
                                              **serializer.validated_data)
            return {"id": feature.pk, "version": feature.version, "feature": self._shape(feature)}
        fid = message.get("id")
        base = message.get("base_version")
        if not isinstance(fid, int) or not isinstance(base, int):
            raise ValidationError("Send the feature's id and the base_version you edited.")
        if kind == "feature.delete":  # the service fetches, checks and locks through feature_get_for
            services.feature_delete(map_obj=map_obj, feature_id=fid, actor=self.user, secret=self.secret,
                                    expected_version=base)
            return {"id": fid}
        serializer = FeatureUpdateSerializer(data=message.get("changes") or {}, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        feature = services.feature_update(map_obj=map_obj, feature_id=fid, actor=self.user, secret=self.secret,
                                          expected_version=base, **data)
        return {"id": feature.pk, "version": feature.version, "feature": self._shape(feature)}

    @staticmethod
    def _shape(feature):
        """The public shape the service already made for the event (no second serialisation)."""
        from maps.services import feature_public

        return getattr(feature, "public_shape", None) or feature_public(feature)

    # --- presence ----------------------------------------------------------------------------------------
    async def _presence_put(self, announce=True):
        if not self.joined:
            return
        entry = {"name": self.access["name"], "editing": self.access["permissions"]["edit"]
                 or self.access["permissions"]["contribute"], "selected": self.selected,
                 "expires": time.time() + PRESENCE_TTL}
        try:
            await self.store.put(self.map_id, self.channel_name, entry)
            if announce:
                await self._presence_changed()
        except Exception:  # noqa: BLE001
            log.warning("live: presence update failed", exc_info=True)

    async def _presence_changed(self):
        """Announce the map's presence soon; joins within BROADCAST_DELAY share one announcement."""
        if await self.store.claim(f"presence-due:{self.map_id}", BROADCAST_DELAY * 4):
            asyncio.ensure_future(self._presence_announce(self.store, self.map_id, self.channel_layer))

    @staticmethod
    async def _presence_announce(store, map_id, layer):
        await asyncio.sleep(BROADCAST_DELAY)
        await store.release(f"presence-due:{map_id}")
        entries = await store.all(map_id)
        now = time.time()
        stale = [s for s, e in entries.items() if e.get("expires", 0) <= now]
        await store.drop(map_id, stale)
        text = json.dumps({"type": "presence", "map": map_id, **presence_state(entries)}, ensure_ascii=False)
        await layer.group_send(map_group(map_id), {"type": "presence.state", "text": text})

    async def _tick(self):
        """Every TICK seconds: close a socket whose client went silent; sweep expired presence (one socket
        per map does it each round)."""
        try:
            while True:
                await asyncio.sleep(TICK)
                if time.monotonic() - self.last_heard > PRESENCE_TTL:
                    await self.close(code=CLOSE_IDLE)
                    return
                if await self.store.claim(f"presence-sweep:{self.map_id}", TICK):
                    entries = await self.store.all(self.map_id)
                    now = time.time()
                    if any(e.get("expires", 0) <= now for e in entries.values()):
                        await self._presence_changed()
        except asyncio.CancelledError:
            pass
        except Exception:  # noqa: BLE001
            log.warning("live: tick failed", exc_info=True)

    async def _send(self, message: dict):
        await self.send(text_data=json.dumps(message, ensure_ascii=False, default=str))


class UserConsumer(AsyncWebsocketConsumer):
    """`/ws/me/`: one signed-in person's own events (job progress, notifications, their reports' status);
    district officers also get their districts' review-queue events."""

    groups_joined = ()

    async def connect(self):
        user = self.scope.get("user")
        if not (user and user.is_authenticated):
            await self.close()
            return
        groups = [user_group(user.pk)] + await self._district_groups(user)
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups
        await self.accept()
        await self.send(text_data=json.dumps({"type": "hello", "you": user.public_name}, ensure_ascii=False))

    @database_sync_to_async
    def _district_groups(self, user):
        from .services import district_group

        try:
            codes = sorted(user.officer_district_codes())
        except Exception:  # noqa: BLE001
            codes = []
        return [district_group(code) for code in codes]

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        if text_data and '"ping"' in text_data:
            await self.send(text_data='{"type": "pong"}')

    async def user_event(self, event):
        await self.send(text_data=event["text"])
