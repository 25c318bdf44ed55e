"""Tiles only, as a process of its own: `gunicorn geoplatform.tiles_wsgi:application` (see layers/light.py)."""
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoplatform.settings.base")
django.setup(set_prefix=False)

from layers.light import TileHandler  # noqa: E402

application = TileHandler()
