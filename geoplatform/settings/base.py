"""Settings, grouped by concern and read from the environment (django-environ).

Defaults are the safe production ones: DEBUG is off, cookies are secure and
`manage.py check --deploy` passes once SECRET_KEY is set. `make run` sets
DEBUG=1 and a generated key for local use.
"""
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# --- core ------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "drf_spectacular",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "channels",
    "geoplatform",
    "accounts",
    "districts",
    "jobs",
    "layers",
    "maps",
    "audit",
    "notifications",
    "moderation",
    "reports",
    "dashboards",
    "meetings",
    "analysis",
    "campaigns",
    "feedback",
    "projects",
    "live",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "geoplatform.middleware.RefuseNulInQueryMiddleware",
    "geoplatform.db_router.DatabaseRoutingMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "geoplatform.i18n.ReaderLanguageMiddleware",  # the account's language, after authentication
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.AuthRateLimitMiddleware",
    # last: turns a lock-out flagged during authentication into a 429 (accounts.lockout.lockout_response)
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "geoplatform.urls"
WSGI_APPLICATION = "geoplatform.wsgi.application"
ASGI_APPLICATION = "geoplatform.asgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "accounts.context_processors.roles",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database and cache ------------------------------------------------------
# DATABASE_URL is postgis://user:password@host:port/name; `make run` points it at
# the project-local cluster started by bin/pg.
# Production has no default: the database URL, with its password, is required like SECRET_KEY.
# DATABASE_REPLICA_URLS (comma-separated) adds streaming hot-standby replicas as `replica_1`, …;
# geoplatform/db_router.py sends read-only, may-be-stale requests to them (none: all on the primary).
if not DEBUG and not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured("Set DATABASE_URL (postgis://user:password@host:port/name).")


# Django's own connection pool (psycopg_pool, Django 5.1+) for every process that serves: each web process
# (uvicorn's workers of `make run` and `make cluster`) and each background worker keeps at most
# DATABASE_POOL_MAX_SIZE connections per database and hands them from request to request. Without it, every
# request of the ASGI app opened a new PostgreSQL connection (Django runs each request's sync code in a new
# thread, so a persistent connection was never reused). Pooling requires CONN_MAX_AGE = 0: "closing" a
# connection returns it to the pool. A request that waits longer than DATABASE_POOL_TIMEOUT seconds for a
# connection (a saturated process, or a database that does not answer) gets the OperationalError that
# geoplatform/db_router.py turns into a replica retry or the 503. DATABASE_POOL=0 turns it off (CONN_MAX_AGE
# then applies); the test settings turn it off for pytest's own connections (tests/core/test_connection_pool.py
# starts the served configuration to check it). Sized per process: bin/run and bin/cluster give the workers a
# smaller pool than the web processes.
DATABASE_POOL = env.bool("DATABASE_POOL", default=True)
DATABASE_POOL_MIN_SIZE = env.int("DATABASE_POOL_MIN_SIZE", default=2)
DATABASE_POOL_MAX_SIZE = env.int("DATABASE_POOL_MAX_SIZE", default=8)
DATABASE_POOL_TIMEOUT = env.float("DATABASE_POOL_TIMEOUT", default=3.0)  # seconds a request waits for a connection
DATABASE_APPLICATION_NAME = env.str("DATABASE_APPLICATION_NAME", default="geoplatform")  # pg_stat_activity


def _database(url: str, *, connect_timeout: int, alias: str) -> dict:
    config = env.db_url_config(url)
    if not DEBUG and not config.get("PASSWORD"):
        raise ImproperlyConfigured("Set the database password in DATABASE_URL / DATABASE_REPLICA_URLS.")
    config["ENGINE"] = "django.contrib.gis.db.backends.postgis"
    config.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    config["CONN_HEALTH_CHECKS"] = True  # with the pool: each connection is checked as it is handed out
    options = config.setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", connect_timeout)
    options.setdefault("application_name", DATABASE_APPLICATION_NAME)
    if DATABASE_POOL:
        config["CONN_MAX_AGE"] = 0
        options["pool"] = {
            "min_size": min(DATABASE_POOL_MIN_SIZE, DATABASE_POOL_MAX_SIZE), "max_size": DATABASE_POOL_MAX_SIZE,
            # a replica that does not answer is skipped sooner than the primary is given up
            "timeout": min(DATABASE_POOL_TIMEOUT, connect_timeout) if alias != "default" else DATABASE_POOL_TIMEOUT,
            # a failed connection attempt is not retried in the background: the next request that needs a
            # connection tries again (a restarted primary is used at once, not after a back-off)
            "reconnect_timeout": 0, "max_idle": 300, "name": f"django-{alias}",
        }
    return config


DATABASES = {"default": _database(env.str("DATABASE_URL", default="postgis://geoplatform:geoplatform@127.0.0.1:5432/geoplatform"),
                                  connect_timeout=5, alias="default")}
for _n, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    DATABASES[f"replica_{_n}"] = _database(_url, connect_timeout=2, alias=f"replica_{_n}")
DATABASE_ROUTERS = ["geoplatform.db_router.ReplicaRouter"]
DATABASE_REPLICA_MAX_LAG = env.float("DATABASE_REPLICA_MAX_LAG", default=10.0)  # seconds; beyond: read the primary
DATABASE_REPLICA_CHECK_SECONDS = env.float("DATABASE_REPLICA_CHECK_SECONDS", default=2.0)
DATABASE_READ_YOUR_WRITES_SECONDS = env.int("DATABASE_READ_YOUR_WRITES_SECONDS", default=30)  # > the lag bound
if DATABASE_READ_YOUR_WRITES_SECONDS <= DATABASE_REPLICA_MAX_LAG:
    raise ImproperlyConfigured("DATABASE_READ_YOUR_WRITES_SECONDS must exceed DATABASE_REPLICA_MAX_LAG.")

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- i18n -----------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ko")
LANGUAGES = [("ko", "한국어"), ("en", "English")]
# Server text: English msgids through gettext, Korean in each app's locale/ko/LC_MESSAGES/django.po
# (compiled by bin/setup). The project-level locale/ wins over every app's: it corrects
# third-party translations (Django REST framework's Korean) where they read badly.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Seoul")
USE_I18N = True
USE_TZ = True

# --- static and media -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Behind nginx: uploaded files go out through X-Accel-Redirect to this internal location (aliased to
# MEDIA_ROOT, `internal;`), after the permission check in geoplatform/media.py. Empty: Django streams them.
MEDIA_X_ACCEL_REDIRECT = env.str("MEDIA_X_ACCEL_REDIRECT", default="")
STORAGES = {
    "default": {"BACKEND": env.str("MEDIA_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded files are served only through the permission-checking view (geoplatform/media.py), then from the
# file system (streamed, or X-Accel-Redirect behind nginx; several nodes share MEDIA_ROOT). A storage whose
# files have URLs of their own (S3 and the like hand out bucket or signed links) or a MEDIA_URL on another
# host would bypass the check for a private map's photos or a withheld document: every process refuses to start.
MEDIA_STORAGES_CHECKED = ("django.core.files.storage.FileSystemStorage",)
if STORAGES["default"]["BACKEND"] not in MEDIA_STORAGES_CHECKED or not MEDIA_URL.startswith("/") \
        or MEDIA_URL.startswith("//"):
    raise ImproperlyConfigured(
        f"MEDIA_STORAGE={STORAGES['default']['BACKEND']} (MEDIA_URL={MEDIA_URL}) would serve uploaded files without "
        "the permission check. Only the file system is supported: leave MEDIA_STORAGE unset, share MEDIA_ROOT "
        "between the nodes and set MEDIA_X_ACCEL_REDIRECT behind nginx (docs/scale.md).")
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- security (production defaults; relaxed only when DEBUG) ----------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock-out per account (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username, every
# sign-in as that username (web, admin, API token) is refused for AXES_COOLOFF_MINUTES, and each further
# attempt during the lock-out starts the wait again; each new lock-out of the account within
# AXES_LOCKOUT_MEMORY_HOURS doubles the wait, up to AXES_COOLOFF_MAX_HOURS (accounts/lockout.py). Counters live in the cache (CACHE_URL), so they hold
# across processes when the cache is shared (Redis in docker-compose). The per-address limit is the
# "auth" throttle rate below, shared by the API token endpoint and the web and admin forms.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_COOLOFF_MAX = timedelta(hours=env.int("AXES_COOLOFF_MAX_HOURS", default=24))
AXES_LOCKOUT_MEMORY = timedelta(hours=env.int("AXES_LOCKOUT_MEMORY_HOURS", default=24))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
# E-mail verification links (sign-up, e-mail change) stay valid this long.
ACCOUNTS_VERIFY_MAX_AGE_DAYS = env.int("ACCOUNTS_VERIFY_MAX_AGE_DAYS", default=3)
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- email ------------------------------------------------------------------------
# While DEBUG, e-mails are written as files into EMAIL_FILE_PATH (var/mail/), not printed: the console of
# `make run` stays for what a person needs (the demo alone sends hundreds of notifications).
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))  # filebased backend
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="geoplatform <no-reply@localhost>")

# --- API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",  # + the account's language
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # one JSON parser project-wide: size and depth limits, no NUL or unpaired surrogates (geoplatform/parsers.py)
    "DEFAULT_PARSER_CLASSES": ["geoplatform.parsers.JSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "geoplatform.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "geoplatform.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth": env.str("THROTTLE_AUTH", default="20/minute"),
        "anon": env.str("THROTTLE_ANON", default="600/minute"),
        "user": env.str("THROTTLE_USER", default="2000/minute"),
        # content creation, per user and per IP (geoplatform.throttles.CreationRateThrottle)
        "reports": env.str("THROTTLE_REPORTS", default="30/minute"),
        "features": env.str("THROTTLE_FEATURES", default="60/minute"),
        "flags": env.str("THROTTLE_FLAGS", default="30/minute"),
        "proposals": env.str("THROTTLE_PROPOSALS", default="10/hour"),
        "proposal_comments": env.str("THROTTLE_PROPOSAL_COMMENTS", default="60/hour"),
        "feedback": env.str("THROTTLE_FEEDBACK", default="20/hour"),
        # layer exports (each reads the whole layer), per user and per IP (layers.throttles.ExportRateThrottle)
        "exports": env.str("THROTTLE_EXPORTS", default="20/hour"),
        # edit operations over a map socket, per person per map (live.consumers)
        "live_edits": env.str("THROTTLE_LIVE_EDITS", default="300/minute"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "geoplatform API",
    "DESCRIPTION": "Citizen maps, hazard reports, layers, dashboards, meetings and analyses for Seoul.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name across apps get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "accounts.models.Role",
        "CollaboratorRoleEnum": "maps.models.CollaboratorRole",
        "MapContributionModeEnum": "maps.models.ContributionMode",
        "CampaignContributionModeEnum": "campaigns.models.ContributionMode",
        "JobStateEnum": "jobs.models.Job.State",
        "ProposalStateEnum": "campaigns.models.ProposalState",
        "ProjectStatusEnum": "projects.models.ProjectStatus",
        "ProposalKindEnum": "campaigns.models.ProposalKind",
        "FeedbackStateEnum": "feedback.models.FeedbackState",
        "FlagStateEnum": "moderation.models.Flag.State",
        "FeedbackKindEnum": "feedback.models.FeedbackKind",
        "ReportEventKindEnum": "reports.models.ReportEvent.Kind",
        "AnalysisOutputKindEnum": "analysis.models.AnalysisOutput.Kind",
        "IndicatorKindEnum": "dashboards.models.Indicator.Kind",
        "AnalysisStatusEnum": "analysis.models.Analysis.Status",
        "ReportStatusEnum": "reports.workflow.Status",
    },
}

# --- background jobs (django-tasks; the database backend needs no extra server) ----------
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": [],
    }
}
# The dashboards' figures computed from reports and crowd maps follow their data at most this many seconds late:
# however many reports arrive meanwhile (25,000 a day), one refresh is queued for each period (0: at each commit).
DASHBOARDS_REFRESH_SECONDS = env.int("DASHBOARDS_REFRESH_SECONDS", default=300)

# --- app settings ---------------------------------------------------------------------
# Open evaluation of citizens' policy and local-project proposals (campaigns/): the support threshold that
# sends a proposal to evaluation, the size of the citizen group drawn at random, and the days each step
# (citizen scores, then the committee) has. These are defaults: each kind may differ, and each round may set
# its own per kind (Round.evaluation_rules), which wins.
PROPOSALS_EVALUATION_THRESHOLD = env.int("PROPOSALS_EVALUATION_THRESHOLD", default=50)
PROPOSALS_EVALUATION_GROUP_SIZE = env.int("PROPOSALS_EVALUATION_GROUP_SIZE", default=7)
PROPOSALS_EVALUATION_DAYS = env.int("PROPOSALS_EVALUATION_DAYS", default=14)
PROPOSALS_EVALUATION_BY_KIND = {"local_project": {"threshold": 30, "group_size": 5, "days": 10}}
GEOPLATFORM_CITY = env.str("GEOPLATFORM_CITY", default="seoul")
# Base map: a PMTiles archive of vector tiles in the Protomaps basemap schema, served by this server
# (layers/basemap.py), and/or a raster tile URL template; neither means "districts and landmarks only" (offline).
BASEMAP_PMTILES = env.str("BASEMAP_PMTILES", default="")
BASEMAP_TILE_URL = env.str("BASEMAP_TILE_URL", default="")
BASEMAP_ATTRIBUTION = env.str("BASEMAP_ATTRIBUTION", default="")
TILES_CACHE_DIR = env.path("TILES_CACHE_DIR", default=BASE_DIR / "var" / "tilecache")
TILES_MAX_AGE = env.int("TILES_MAX_AGE", default=0)  # seconds public tiles may be cached (browsers, nginx)
TILES_CACHE_BACKEND = env.str("TILES_CACHE_BACKEND", default="filesystem")  # or "redis"
TILES_REDIS_URL = env.str("TILES_REDIS_URL", default="")
# A public tile asked with its layer's current version (`?v=` from TileJSON) may be kept this long by browsers
# and edge caches: it also bounds how long content hidden or made private stays reachable at an old URL.
TILES_IMMUTABLE_MAX_AGE = env.int("TILES_IMMUTABLE_MAX_AGE", default=86400)
# Tile requests skip the URL resolver and most middleware (layers/light.py); 0 sends them through the full stack.
TILES_LIGHT_PATH = env.bool("TILES_LIGHT_PATH", default=True)
# The ASGI light tile path's own asyncio pool per process (layers/asgi_tiles.py): connections, seconds a tile waits
# for one, seconds tiles go through Django after it failed. 4 connections a process: on the 2-core benchmark machine
# 8 kept twice as many backends switching on the cores for fewer tiles a second and more PostgreSQL CPU a tile
# (python -m bench.lightbench --parts pool: bench/RESULTS.md, "The light path's parts")
TILES_POOL_SIZE = env.int("TILES_POOL_SIZE", default=4)
TILES_POOL_TIMEOUT = env.float("TILES_POOL_TIMEOUT", default=2.0)
TILES_POOL_PAUSE = env.float("TILES_POOL_PAUSE", default=1.0)
# A tile request may reuse a layer's change counter / aggregate state read this many seconds ago in its process
# (saves a query a tile; TileJSON always reads them afresh).
TILES_VERSION_MEMO = env.float("TILES_VERSION_MEMO", default=1.0)
MAPS_IMPORT_DIR = env.path("MAPS_IMPORT_DIR", default=BASE_DIR / "var" / "imports")  # shared by web and worker
TILESETS_DIR = env.path("TILESETS_DIR", default=BASE_DIR / "var" / "tilesets")
JOBS_MAX_ATTEMPTS = env.int("JOBS_MAX_ATTEMPTS", default=3)  # claims of one task by workers that died, then FAILED
# --- live (WebSockets) ------------------------------------------------------------------
# The channel layer every process (web nodes, the worker) publishes to and every web node listens on.
# bin/run starts a project-local Redis (bin/redis) and sets it; without one, a single process's in-memory
# layer (live updates then reach only sockets of the process that made the change).
LIVE_REDIS_URL = env.str("CHANNEL_REDIS_URL", default="") or env.str("REDIS_URL", default="")
CHANNEL_LAYERS = {
    "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [LIVE_REDIS_URL], "prefix": "geoplatform"}}
    if LIVE_REDIS_URL else {"BACKEND": "channels.layers.InMemoryChannelLayer"},
}
MAPS_EVENT_LOG_KEEP = env.int("MAPS_EVENT_LOG_KEEP", default=2000)
MODERATION_FLAGS_TO_HIDE = env.int("MODERATION_FLAGS_TO_HIDE", default=3)  # summed flag weight (moderation/trust.py)
MODERATION_TRUST_NEW_DAYS = env.int("MODERATION_TRUST_NEW_DAYS", default=7)  # younger confirmed accounts' flags weigh 0.5
MODERATION_ESTABLISHED_DAYS = env.int("MODERATION_ESTABLISHED_DAYS", default=30)  # older authors' content waits for review
MODERATION_FLAGS_PER_TARGET_PER_HOUR = env.int("MODERATION_FLAGS_PER_TARGET_PER_HOUR", default=10)
ANALYSIS_K_ANONYMITY = env.int("ANALYSIS_K_ANONYMITY", default=5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No secret in a log line: keys in query strings (Open311 api_key, secret map links) are scrubbed.
    "filters": {"scrub_secrets": {"()": "geoplatform.logs.ScrubSecrets"}},
    "formatters": {"django.server": {"()": "django.utils.log.ServerFormatter",
                                     "format": "[{server_time}] {message}", "style": "{"},
                   "uvicorn.access": {"()": "uvicorn.logging.AccessFormatter",
                                      "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s'}},
    "handlers": {
        # uvicorn's own access handler, with the scrubbing filter (uvicorn's default one has none)
        "uvicorn.access": {"class": "logging.StreamHandler", "formatter": "uvicorn.access", "stream": "ext://sys.stdout",
                           "filters": ["scrub_secrets"]},
        "console": {"class": "logging.StreamHandler", "filters": ["scrub_secrets"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["scrub_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own "django" handler (console under DEBUG) has no filter and would repeat each request
        # warning ("Bad Request: /accounts/verify/<token>/") unscrubbed: ours replaces it
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        # the development server's access log (runserver); gunicorn's is geoplatform.logs.GunicornLogger
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # the web nodes' access log (uvicorn; `--no-access-log` still turns it off)
        "uvicorn.access": {"handlers": ["uvicorn.access"], "level": "INFO", "propagate": False},
    },
}

# Debian 12 ships GDAL 3.6, which cannot block file/network access from spatial
# references (gis.W001). Imports never hand GDAL a user-controlled SRS string:
# they read with our own parsers or pass only EPSG codes, so the check is silenced.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
# axes.W006: the lock-out is per account on purpose; the per-address limit is the "auth" throttle
# (accounts.middleware), so a shared address (an office, a campus) is not locked out by one person's typos.
SILENCED_SYSTEM_CHECKS += ["axes.W006"]
# axes.W001: the default local-memory cache counts per process; it is correct for one process
# (`make run`) and README says to set CACHE_URL to a shared cache (Redis) for several.
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    SILENCED_SYSTEM_CHECKS += ["axes.W001"]
