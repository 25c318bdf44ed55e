"""Imported first by the children of geoplatform.bounded (and preloaded by their fork server): Django set up
from DJANGO_SETTINGS_MODULE, so each child starts with the apps and translations loaded."""
import django
from django.apps import apps

if not apps.ready:
    django.setup()
