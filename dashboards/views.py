"""HTML pages: /dashboards/ (indicators by theme) and /dashboards/<slug>/ (one indicator)."""
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from . import selectors
from .models import Theme


def _theme_labels(value: str) -> tuple[str, str]:
    label = dict(Theme.choices)[value]
    with translation.override("ko"):
        label_ko = str(label)
    with translation.override("en"):
        label_en = str(label)
    return label_ko, label_en


def dashboard(request):
    indicators = list(selectors.indicator_list(user=request.user))
    summaries = {i.pk: selectors.indicator_summary(i) for i in indicators}
    themes = []
    for value, _ in Theme.choices:
        members = [(i, summaries[i.pk]) for i in indicators if i.theme == value]
        if members:
            label_ko, label_en = _theme_labels(value)
            themes.append({"key": value, "label_ko": label_ko, "label_en": label_en, "indicators": members})
    return render(request, "dashboards/dashboard.html", {
        "themes": themes,
        "page_config": {"indicators": list(summaries.values()), "detail": False},
    })


def indicator_page(request, slug):
    indicator = selectors.indicator_access(user=request.user, slug=slug)
    summary = selectors.indicator_summary(indicator)
    label_ko, label_en = _theme_labels(indicator.theme)
    table = selectors.indicator_table(indicator=indicator)
    for row in table["districts"]:
        row["cells"] = [row["values"].get(period) for period in table["periods"]]
    return render(request, "dashboards/indicator.html", {
        "indicator": indicator, "summary": summary, "theme_ko": label_ko, "theme_en": label_en,
        "table": table,
        "versions": indicator.imports.order_by("-version")[:10],
        "can_manage": indicator.can_manage(request.user),
        "csv_url": reverse("indicator-data-csv", args=[indicator.pk]),
        "page_config": {"indicators": [summary], "detail": True, "signed_in": request.user.is_authenticated,
                        "can_manage": indicator.can_manage(request.user),
                        "feedback_url": reverse("indicator-feedback", args=[indicator.pk]),
                        "import_url": reverse("indicator-import", args=[indicator.pk]),
                        "refresh_url": reverse("indicator-refresh", args=[indicator.pk]),
                        "kind": indicator.kind},
    })
