"""What a locked-out account is told (django-axes calls `lockout_response`; settings AXES_*)."""
import math

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message() -> str:
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return _("Too many wrong passwords for this account. Sign-in is paused for %(minutes)d minutes.") % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    seconds = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        response = render(request, "accounts/too_many.html", {"message": lockout_message()}, status=429)
    response["Retry-After"] = seconds
    return response
