"""HTML pages: /dashboards/ (indicators by theme) and /dashboards/<slug>/ (one indicator)."""
from django.shortcuts import render
from django.utils.translation import get_language

from . import selectors
from .models import Theme


def dashboard(request):
    indicators = list(selectors.indicator_list(user=request.user))
    themes = []
    for value, label in Theme.choices:
        members = [i for i in indicators if i.theme == value]
        if members:
            label_ko, label_en = label.split(" / ")
            themes.append({"key": value, "label_ko": label_ko, "label_en": label_en, "indicators": members})
    return render(request, "dashboards/dashboard.html", {
        "themes": themes, "english": (get_language() or "ko").startswith("en"),
        "config": {"indicators": [{"id": i.pk, "slug": i.slug} for i in indicators]},
    })


def indicator_page(request, slug):
    indicator = selectors.indicator_get(user=request.user, slug=slug)
    return render(request, "dashboards/indicator.html", {
        "indicator": indicator, "english": (get_language() or "ko").startswith("en"),
        "can_manage": indicator.can_manage(request.user),
        "config": {"indicators": [{"id": indicator.pk, "slug": indicator.slug}], "detail": True,
                   "signed_in": request.user.is_authenticated},
    })
