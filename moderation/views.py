"""Web page of moderation: city staff's flag queue (its script reads `/api/moderation/flags/`)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.permissions import is_city_staff


@login_required
def moderation(request):
    if not is_city_staff(request.user):
        return render(request, "frontend/forbidden.html", status=403)
    return render(request, "moderation/moderation.html", {"page_config": {}})
