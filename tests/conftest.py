"""Shared fixtures: real PostGIS, the real Seoul districts, users per role, API clients."""
import datetime
import os
import re
import socket
import threading
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from districts.models import District
from districts.services import seoul_load
from tests.servers import free_port

PASSWORD = "a-Long-test-pa55word"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def korean_only(data) -> bool:
    """An answer (an error body, a message) in Korean alone: Hangul, and no "English / 한국어" pair."""
    text = str(data)
    return bool(HANGUL.search(text)) and " / " not in text


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the 25 gu and 424 dongs once into the test database."""
    with django_db_blocker.unblock():
        seoul_load()


_previous_test = {"nodeid": None}


@pytest.fixture(autouse=True)
def _transactional_tests_start_empty(request):
    """A transactional test (browser, live, served process) assumes what every earlier one left was flushed at
    its end (Django's TransactionTestCase flushes after, not before). Under pytest-xdist one whole run in three
    found a user an earlier test of its process had left (not reproduced since, with a leak check after every
    test's teardown in serial and two-process runs). Such a test now starts from an empty database anyway, and
    the run's summary warns with what was left and which test ran before."""
    previous, _previous_test["nodeid"] = _previous_test["nodeid"], request.node.nodeid
    marker = request.node.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server", "live_seoul"} & set(request.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction"))
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    users = list(get_user_model().objects.values_list("username", flat=True)[:5])
    if users:
        import warnings

        from django.core.management import call_command

        warnings.warn(f"{request.node.nodeid} found users {users} left by an earlier test of this process "
                      f"(the previous one: {previous}); flushed before it ran")
        call_command("flush", verbosity=0, interactive=False)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached answers live in the cache: each test starts with an empty one."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unused_tcp_port():
    """A loopback port where nothing listens: a stopped server."""
    return free_port()


@pytest.fixture
def seoul(db):
    """The districts, reloaded when a transactional test flushed them."""
    if District.objects.count() != 25:
        seoul_load()
    return {d.code: d for d in District.objects.all()}


@pytest.fixture
def map_templates(db):
    """The shipped map templates (a data migration; transactional tests flush it away)."""
    from importlib import import_module

    from maps.models import MapTemplate

    shipped = import_module("maps.migrations.0002_shipped_templates").TEMPLATES
    for template in shipped:
        MapTemplate.objects.get_or_create(slug=template["slug"], defaults=template)
    return {t.slug: t for t in MapTemplate.objects.all()}


@pytest.fixture
def make_user(db):
    from accounts.services import role_grant

    User = get_user_model()
    counter = {"n": 0}

    def make(username=None, role="citizen", districts=(), established=False, **extra):
        """A user with a confirmed e-mail; `established=True`: also a long-standing account (flags weigh fully)."""
        counter["n"] += 1
        username = username or f"user{counter['n']}"
        extra.setdefault("email", f"{username}@example.org")
        if established:
            extra.setdefault("date_joined", timezone.now() - datetime.timedelta(days=365))
        # Established by default: tests of trust and verification make unverified users explicitly.
        extra.setdefault("email_verified_at", timezone.now())
        user = User.objects.create_user(username=username, password=PASSWORD, **extra)
        if role != "citizen" or districts:
            role_grant(user=user, role=role, district_codes=list(districts))
        return user

    return make


@pytest.fixture
def citizen(make_user):
    return make_user("minji")


@pytest.fixture
def citizen2(make_user):
    return make_user("jihoon")


@pytest.fixture
def gangnam_officer(make_user, seoul):
    return make_user("officer_gangnam", role="district_officer", districts=["11680"])


@pytest.fixture
def mapo_officer(make_user, seoul):
    return make_user("officer_mapo", role="district_officer", districts=["11440"])


@pytest.fixture
def staff(make_user):
    return make_user("staff", role="city_staff")


@pytest.fixture
def analyst(make_user):
    return make_user("analyst", role="analyst")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a call and then its after-commit side effects (e-mails), as a real request's commit would."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def english_clients(monkeypatch):
    """API clients that ask for English (Accept-Language: en), for tests that read English messages;
    without it a client gets the default language, Korean (tests/core/test_i18n.py covers both)."""
    original = APIClient.__init__

    def init(self, *args, **kwargs):
        kwargs.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
        original(self, *args, **kwargs)

    monkeypatch.setattr(APIClient, "__init__", init)


@pytest.fixture
def client_for():
    """An API client authenticated with the user's token, as other apps would use it."""

    def make(user):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


# --- real Redis, real ASGI server (HTTP and WebSockets) -------------------------------------------------
@pytest.fixture(scope="session")
def redis_url():
    """A private redis-server on a free loopback port, for this test session only (or CHANNEL_REDIS_URL)."""
    if os.environ.get("CHANNEL_REDIS_URL"):
        yield os.environ["CHANNEL_REDIS_URL"]
        return
    from live.local_redis import redis_start

    process, url = redis_start()
    yield url
    process.terminate()
    process.wait(timeout=10)


class AsgiLiveServer:
    """The project's ASGI application (geoplatform.asgi) under uvicorn in a thread, with the channel layer
    on a real Redis: the browser journeys and live tests talk HTTP and WebSockets to it, as in production.
    Replaces pytest-django's WSGI live server (same `url`, same settings helper). Lifespan on: at shutdown the
    light tile path (layers/asgi_tiles.py) closes its pool, so the test database can be dropped."""

    def __init__(self, redis):
        import uvicorn
        from django.test.utils import modify_settings

        from channels.layers import channel_layers
        from geoplatform.asgi import build_application

        self._saved = {name: getattr(settings, name) for name in ("CHANNEL_LAYERS", "LIVE_REDIS_URL")}
        settings.LIVE_REDIS_URL = redis
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                                               "CONFIG": {"hosts": [redis], "prefix": "geoplatform"}}}
        channel_layers.backends.clear()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        config = uvicorn.Config(build_application(static_files=True), ws="websockets-sansio", lifespan="auto",
                                log_level="warning", ws_ping_interval=None)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            time.sleep(0.05)
        self._live_server_modified_settings = modify_settings(ALLOWED_HOSTS={"append": "127.0.0.1"})

    def stop(self):
        from channels.layers import channel_layers

        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
        for name, value in self._saved.items():
            setattr(settings, name, value)
        channel_layers.backends.clear()


@pytest.fixture(scope="session")
def live_server(redis_url):
    server = AsgiLiveServer(redis_url)
    yield server
    server.stop()


# --- real browser (headless Debian chromium through Playwright) ------------------------------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
]


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_seoul(transactional_db, live_server):
    """A live server over a database holding the real districts (transactional tests flush them)."""
    if District.objects.count() != 25:
        seoul_load()
    return live_server


def _page(chromium, live_server, **context_options):
    context = chromium.new_context(base_url=live_server.url, locale="ko-KR", **context_options)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    return context, page


@pytest.fixture
def page(chromium, live_seoul):
    """A desktop page (1440×900) on the live server; the test fails on any console error."""
    context, page = _page(chromium, live_seoul, viewport={"width": 1440, "height": 900})
    yield page
    errors = list(page.console_errors)
    context.close()
    assert not errors, f"console errors: {errors}"


@pytest.fixture
def phone_page(chromium, live_seoul):
    """A phone page (375×667, touch); the test fails on any console error."""
    context, page = _page(chromium, live_seoul, viewport={"width": 375, "height": 667}, is_mobile=True,
                          has_touch=True, device_scale_factor=2)
    yield page
    errors = list(page.console_errors)
    context.close()
    assert not errors, f"console errors: {errors}"


@pytest.fixture
def login(live_seoul):
    """Sign a browser page in as a user through the real sign-in form."""

    def sign_in(page, user, password=PASSWORD):
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")

    return sign_in


@pytest.fixture
def tile_clock(monkeypatch):
    """The tile cache's clock (`layers.cache._clock`), an hour ahead of the real one and still: after every
    invalidation a fixture's writes made, so a render starting now is stored."""
    import time

    from layers import cache

    now = time.time() + 3600
    monkeypatch.setattr(cache, "_clock", lambda: now)
    return now


@pytest.fixture(scope="session")
def seoul_basemap_archive(tmp_path_factory):
    """A small real vector base map: Seoul's open data as a PMTiles archive in the Protomaps schema."""
    from tests.layers.protomaps_archive import write_seoul_archive

    return write_seoul_archive(tmp_path_factory.mktemp("basemap") / "seoul.pmtiles")


@pytest.fixture
def basemap(settings, seoul_basemap_archive):
    """BASEMAP_PMTILES names that archive (the archive's own attribution is shown)."""
    settings.BASEMAP_PMTILES = str(seoul_basemap_archive)
    settings.BASEMAP_ATTRIBUTION = ""
    return seoul_basemap_archive
