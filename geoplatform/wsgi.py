import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoplatform.settings.base")
application = get_wsgi_application()

from layers.light import tiles_first  # noqa: E402  (after set-up: tile paths take the light path)

application = tiles_first(application)
