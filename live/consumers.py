"""WebSocket consumers: as thin as the REST views. They authenticate and authorise through the maps'
access helper and model rules, call the same services, and relay only the events services logged after
commit. The protocol is in docs/live.md; the broadcast path (one hub per process) in live/hub.py."""
import asyncio
import functools
import json
import logging
import time
import uuid
from collections import deque
from types import SimpleNamespace
from urllib.parse import parse_qs

from channels.db import DatabaseSyncToAsync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.consumer import get_handler_name
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework.exceptions import Throttled
from rest_framework.exceptions import ValidationError as DrfValidationError

from .hub import OUTBOX_MAX, hub
from .services import user_group

log = logging.getLogger(__name__)

# Database work of sockets runs in a thread pool, not in the one thread Django's sync views share under ASGI
# (thread_sensitive): 500 sockets joining at once, or one editor's writes, do not queue behind each other's
# queries. Each call gets a fresh connection check, as channels' database_sync_to_async does.
database_sync_to_async = functools.partial(DatabaseSyncToAsync, thread_sensitive=False)

CLOSE_FORBIDDEN = 4403
CLOSE_IDLE = 4408
CLOSE_BEHIND = 4410
REPLAY_MAX = 500
EDITS_IN_FLIGHT = 4  # one socket's operations on different features run side by side (database waits overlap)
EDITS_WAITING_MAX = 100  # beyond it, an operation is refused at once (429) instead of queued
EDIT_TYPES = ("feature.create", "feature.update", "feature.delete")


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return ""


def scope_language(scope, user) -> str:
    """The reader's language, as on the HTTP side (geoplatform/i18n.py): the account's choice, else the
    language cookie, else the handshake's Accept-Language, else LANGUAGE_CODE."""
    from django.utils.translation import get_supported_language_variant
    from django.utils.translation.trans_real import parse_accept_lang_header

    from geoplatform.i18n import account_language

    chosen = account_language(user)
    if chosen:
        return chosen
    cookie = (scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME)
    candidates = [cookie] if cookie else []
    candidates += [code for code, _q in parse_accept_lang_header(_header(scope, b"accept-language")[:200])
                   if code != "*"]
    for code in candidates:
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _error_detail(exc) -> str:
    if isinstance(exc, DrfValidationError):
        return json.dumps(exc.detail, ensure_ascii=False, default=str)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


class EditsThrottled(Exception):
    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait


def edit_rate() -> tuple[int, int]:
    """Socket edit operations allowed per user per map: (count, seconds), THROTTLE_LIVE_EDITS."""
    from geoplatform.throttles import parse_rate

    rates = (getattr(settings, "REST_FRAMEWORK", {}) or {}).get("DEFAULT_THROTTLE_RATES", {}) or {}
    return parse_rate(rates.get("live_edits") or "300/minute")


class MapConsumer(AsyncWebsocketConsumer):
    """`/ws/maps/<id>/`: join = may view (as REST GET); edit operations = the REST rules, per operation."""

    # No channel per socket: the process's hub is the one member of the map's group (live/hub.py).
    channel_layer_alias = "live-sockets-have-no-channel"

    map_id = None
    joined = False
    access = None
    selected = None
    writer = None
    ready = False  # hello is out: presence may be sent
    recheck = False  # access changed while connecting
    language = None  # the reader's, once the handshake is checked (None: LANGUAGE_CODE)

    async def dispatch(self, message):
        """Channels' dispatch, without its thread hop for `close_old_connections` on every message (the
        database work here goes through DatabaseSyncToAsync, which does it)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # --- connecting ---------------------------------------------------------------------------------
    async def connect(self):
        self.map_id = int(self.scope["url_route"]["kwargs"]["map_id"])
        query = parse_qs(self.scope.get("query_string", b"").decode("latin1"))
        self.secret = (query.get("key") or [""])[0][:100]
        self.user = self.scope.get("user")
        self.socket_id = uuid.uuid4().hex
        self.floor, self.sent = 0, set()
        self.replaying, self.held = True, []  # live events wait until the replay is out
        self.outbox, self.wake = deque(), asyncio.Event()
        self.last_heard = time.monotonic()
        self.hub = hub()
        await self.hub.join(self)  # from here no event is missed: it is held, then sent or found replayed
        self.joined = True
        try:
            await self._open(query)
        except BaseException:
            await self.disconnect(None)  # out of the hub whatever went wrong
            raise

    async def _open(self, query):
        access = await self._access()
        if access is None:
            await self.close()  # before accept: the handshake is refused with HTTP 403
            return
        self.access = access
        self.language = access["language"]
        await self.accept()
        self.writer = asyncio.ensure_future(self._write())
        self._send({"type": "hello", "map": self.map_id, "revision": access["revision"],
                    "permissions": access["permissions"], "you": access["name"], "socket": self.socket_id[-8:]})
        since = (query.get("since") or [None])[0]
        if since is not None and since.lstrip("-").isdigit():
            await self._replay(int(since), access["revision"])
        else:
            self._release(access["revision"])
        self.ready = True
        self.hub.changed(self.map_id)
        if self.recheck:
            await self.map_access()

    @property
    def editing(self) -> bool:
        return bool(self.access and (self.access["permissions"]["edit"] or self.access["permissions"]["contribute"]))

    async def disconnect(self, code):
        if not self.joined:
            return
        self.joined = False
        if self.writer:
            self.writer.cancel()
        try:
            await self.hub.leave(self)
        except Exception:  # noqa: BLE001 - Redis gone: the process's presence field expires on its own
            log.warning("live: leaving the hub failed", exc_info=True)

    @database_sync_to_async
    def _access(self):
        from maps import selectors

        try:
            map_obj = selectors.map_access(user=self.user, map_id=self.map_id, secret=self.secret)
        except Http404:
            return None
        user, secret = self.user, self.secret
        signed_in = bool(user and user.is_authenticated)
        return {
            "revision": map_obj.revision,
            "user_id": user.pk if signed_in else None,
            "name": user.public_name if signed_in else "",
            "official": bool(signed_in and user.is_official),  # the badge beside the name comes from the role
            "language": scope_language(self.scope, user),
            "permissions": {"view": True, "edit": map_obj.can_edit(user, secret),
                            "contribute": map_obj.can_contribute(user, secret),
                            "suggest": map_obj.can_suggest(user, secret),
                            "moderate": map_obj.can_moderate(user, secret)},
        }

    # --- sending: one outbox per socket, written by its own task -------------------------------------------
    def push(self, text: str):
        if len(self.outbox) >= OUTBOX_MAX:  # the client stopped reading: it reconnects with ?since=
            self.outbox.clear()
            asyncio.ensure_future(self.close(code=CLOSE_BEHIND))
            return
        self.outbox.append(text)
        self.wake.set()

    def _send(self, message: dict):
        self.push(json.dumps(message, ensure_ascii=False, default=str))

    async def _write(self):
        try:
            while True:
                await self.wake.wait()
                self.wake.clear()
                while self.outbox:
                    await self.send(text_data=self.outbox.popleft())
        except asyncio.CancelledError:
            pass
        except Exception:  # noqa: BLE001 - the client went away; disconnect() cleans up
            pass

    # --- events from the hub ---------------------------------------------------------------------------
    def _visible(self, audience, author_id) -> bool:
        return (audience == "everyone" or self.access["permissions"]["moderate"]
                or (author_id is not None and author_id == self.access["user_id"]))

    def map_event(self, event):
        if self.replaying:
            self.held.append(event)
            return
        revision = event["revision"]
        if revision <= self.floor or revision in self.sent:
            return
        self.sent.add(revision)
        if len(self.sent) > 256:
            self.floor = max(self.floor, min(self.sent))
            self.sent = {r for r in self.sent if r > self.floor}
        if self._visible(event["audience"], event.get("author_id")):
            self.push(event["text"])

    def _release(self, floor: int):
        """The replay is out: everything up to `floor` was sent or is in what the client loaded."""
        self.floor = max(self.floor, floor)
        self.sent = {r for r in self.sent if r > self.floor}
        self.replaying, held = False, self.held
        self.held = []
        for event in held:
            self.map_event(event)

    async def map_access(self):
        if self.access is None:
            self.recheck = True  # connect() checks again once its first check is in
            return
        access = await self._access()
        if access is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        changed = access["permissions"] != self.access["permissions"]
        self.access = {**access, "revision": self.access["revision"]}
        if changed:
            self._send({"type": "permissions", "permissions": access["permissions"]})
            self.hub.changed(self.map_id)

    async def close_idle(self):
        await self.close(code=CLOSE_IDLE)

    async def _replay(self, since: int, revision: int):
        self.replaying = True
        self.floor, self.sent = since, set()
        try:
            events, refetch = await self._events_since(since, revision)
            if refetch:
                self._send({"type": "refetch", "revision": revision})
            else:
                for e in events:
                    if self._visible(e.audience, e.author_id_seen):
                        self._send(e.payload)
        finally:
            self._release(revision)

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
            self._error(None, 400, gettext_noop("Send JSON objects with a type."))
            return
        kind, ref = message.get("type"), message.get("ref")
        if kind == "ping":
            self._send({"type": "pong", "ref": ref})
        elif kind == "presence":
            selected = message.get("selected")
            self.selected = selected if isinstance(selected, int) else None
            self.hub.changed(self.map_id)
        elif kind == "sync":
            since = message.get("since")
            if isinstance(since, int):
                access = await self._access()
                if access is None:
                    await self.close(code=CLOSE_FORBIDDEN)
                    return
                await self._replay(since, access["revision"])
        elif kind in EDIT_TYPES:
            self._start_edit(kind, ref, message)
        else:
            self._error(ref, 400, gettext_noop("Unknown message type: %(type)s."), type=str(kind)[:40])

    def _start_edit(self, kind, ref, message):
        """Operations on one feature are applied in the order sent; on different features up to
        EDITS_IN_FLIGHT at once (answers carry the operation's `ref`, and may come in another order)."""
        if not hasattr(self, "edit_slots"):
            self.edit_slots, self.edits_waiting, self.edit_by_feature = asyncio.Semaphore(EDITS_IN_FLIGHT), set(), {}
        if len(self.edits_waiting) >= EDITS_WAITING_MAX:
            self._error(ref, 429, gettext_noop("Too many operations waiting; wait for the answers before sending more."))
            return
        fid = message.get("id") if isinstance(message.get("id"), int) else None
        before = self.edit_by_feature.get(fid) if fid is not None else None
        task = asyncio.ensure_future(self._run_edit(kind, ref, message, before))
        self.edits_waiting.add(task)
        task.add_done_callback(self.edits_waiting.discard)
        if fid is not None:
            self.edit_by_feature[fid] = task
            task.add_done_callback(lambda t: self.edit_by_feature.pop(fid) if self.edit_by_feature.get(fid) is t
                                   else None)

    async def _run_edit(self, kind, ref, message, before):
        if before is not None:
            await asyncio.wait([before])
        async with self.edit_slots:
            self._send(await self._edit(kind, ref, message))

    def _error(self, ref, status, msgid, **params):
        """An `error` answer, its text (a msgid marked with gettext_noop) in the reader's language."""
        with translation.override(self.language):
            detail = _(msgid) % params if params else _(msgid)
        self._send({"type": "error", "ref": ref, "status": status, "detail": detail})

    @database_sync_to_async
    def _edit(self, kind, ref, message) -> dict:
        """One edit operation, answered in the reader's language: ack, conflict or error (never a closed
        socket)."""
        from maps.services import FeatureConflict, feature_public

        with translation.override(self.language):
            try:
                self._edit_allowed(kind)
                return {"type": "ack", "ref": ref, **self._edit_apply(kind, message)}
            except FeatureConflict as conflict:
                return {"type": "conflict", "ref": ref, "id": conflict.feature.pk, "fields": conflict.fields,
                        "current": feature_public(conflict.feature)}
            except EditsThrottled as exc:
                return {"type": "error", "ref": ref, "status": 429, "retry_after": exc.wait,
                        "detail": _("Too many edits in a short time. Try again in %(wait)s s.") % {"wait": exc.wait}}
            except Throttled as exc:  # the REST API's creation limit
                return {"type": "error", "ref": ref, "status": 429, "detail": str(exc.detail),
                        "retry_after": int(exc.wait or 1)}
            except (Http404, ObjectDoesNotExist):
                return {"type": "error", "ref": ref, "status": 404, "detail": _("No such feature.")}
            except PermissionDenied as exc:
                return {"type": "error", "ref": ref, "status": 403, "detail": str(exc)}
            except (ValidationError, DrfValidationError, TypeError, ValueError) as exc:
                return {"type": "error", "ref": ref, "status": 400, "detail": _error_detail(exc)}
            except Exception:  # noqa: BLE001 - one bad operation must not take the socket down
                log.exception("live: edit failed")
                return {"type": "error", "ref": ref, "status": 500, "detail": _("The server failed; try again.")}

    def _edit_allowed(self, kind):
        """Edit operations per person per map (THROTTLE_LIVE_EDITS, a fixed window); a creation also counts
        against the REST API's creation limit (geoplatform.throttles), so a socket is no way around it."""
        limit, period = edit_rate()
        who = (f"u{self.access['user_id']}" if self.access["user_id"] else
               f"k{self.secret}" if self.secret else f"s{self.socket_id}")
        now = time.time()
        window = int(now // period)
        key = f"live:edits:{self.map_id}:{who}:{window}"
        cache.add(key, 0, period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, period + 1)
            count = 1
        if count > limit:
            wait = max(1, int((window + 1) * period - now + 0.999))
            raise EditsThrottled(wait)
        if kind == "feature.create":
            from geoplatform.throttles import CreationRateThrottle

            request = HttpRequest()  # the handshake's client, as the REST view would see it
            request.method, request.user = "POST", self.user
            request.META["REMOTE_ADDR"] = (self.scope.get("client") or ("",))[0]
            forwarded = _header(self.scope, b"x-forwarded-for")
            if forwarded:
                request.META["HTTP_X_FORWARDED_FOR"] = forwarded
            CreationRateThrottle().allow_request(request, SimpleNamespace(throttle_scope="features"))

    def _edit_apply(self, kind, message) -> dict:
        from maps import selectors, services
        from maps.serializers import FeatureInputSerializer, FeatureUpdateSerializer

        map_obj = selectors.map_access(user=self.user, map_id=self.map_id, secret=self.secret)
        if kind == "feature.create":
            serializer = FeatureInputSerializer(data=message.get("feature") or {})
            serializer.is_valid(raise_exception=True)
            feature = services.feature_create(map_obj=map_obj, actor=self.user, secret=self.secret,
                                              **serializer.validated_data)
            return {"id": feature.pk, "version": feature.version, "feature": self._shape(feature)}
        fid = message.get("id")
        base = message.get("base_version")
        if not isinstance(fid, int) or not isinstance(base, int):
            raise ValidationError(_("Send the feature's id and the base_version you edited."))
        if kind == "feature.delete":
            with transaction.atomic():  # the access helper locks the row, the service writes: as the REST view
                feature = selectors.feature_access(user=self.user, map_obj=map_obj, feature_id=fid, secret=self.secret,
                                                   lock=True)
                services.feature_delete(feature=feature, actor=self.user, secret=self.secret, expected_version=base)
            return {"id": fid}
        serializer = FeatureUpdateSerializer(data=message.get("changes") or {}, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        with transaction.atomic():
            feature = selectors.feature_access(user=self.user, map_obj=map_obj, feature_id=fid, secret=self.secret,
                                               lock=True)
            feature = services.feature_update(feature=feature, actor=self.user, secret=self.secret,
                                              expected_version=base, **data)
        return {"id": feature.pk, "version": feature.version, "feature": self._shape(feature)}

    @staticmethod
    def _shape(feature):
        """The public shape the service already made for the event (no second serialisation)."""
        from maps.services import feature_public

        return getattr(feature, "public_shape", None) or feature_public(feature)


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
