"""Settings for the benchmark: the production settings plus the `bench` app and its two big layers.

Used by `bin/bench` for gunicorn and management commands over the benchmark database.
"""
import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)

from geoplatform.settings.base import *  # noqa: E402,F401,F403
from geoplatform.settings.base import INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "WARNING"}}
