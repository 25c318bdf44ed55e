"""Test settings: real PostGIS, fast hasher, local caches, tasks run immediately."""
import os
import tempfile

os.environ.setdefault("DEBUG", "1")
# Playwright's sync API runs an event loop in the test thread; the ORM calls there are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)

from .base import *  # noqa: E402,F401,F403
from .base import DATABASES, REST_FRAMEWORK  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

_tmp = tempfile.mkdtemp(prefix="geoplatform-test-")
MEDIA_ROOT = os.path.join(_tmp, "media")
STATIC_ROOT = os.path.join(_tmp, "static")
os.makedirs(STATIC_ROOT, exist_ok=True)
TILES_CACHE_DIR = os.path.join(_tmp, "tilecache")
TILESETS_DIR = os.path.join(_tmp, "tilesets")
TILES_VERSION_MEMO = 0  # tests read layer counters afresh (tests/layers/test_light_path.py checks the memo)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Several checkouts (or helpers) may test against one cluster: name the test DB per run.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_geoplatform")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
# pytest-django's transactions and test-database set-up hold connections in its own way: no pool here (the
# served configuration, pool on, is started by tests/core/test_connection_pool.py and the cluster drills)
for _database in DATABASES.values():
    _database["OPTIONS"].pop("pool", None)

REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}}
