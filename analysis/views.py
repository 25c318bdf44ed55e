"""HTML pages: the list of published analyses (with a form for analysts) and one analysis with its map."""
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from rest_framework.exceptions import ValidationError as DRFValidationError

from layers.access import layer_visible, request_viewer
from layers.registry import Viewer, registry

from .models import Analysis, Method
from .selectors import analysis_get, analysis_list
from .serializers import AnalysisOutputSerializer
from .services import analysis_create, analysis_publish, analysis_run
from .sources import source_is_open_data


def _error_text(exc) -> str:
    detail = exc.detail if isinstance(exc, DRFValidationError) else getattr(exc, "message_dict", exc.messages)

    def flat(value):
        if isinstance(value, dict):
            return " ".join(f"{key}: {flat(item)}" for key, item in value.items())
        if isinstance(value, (list, tuple)):
            return " ".join(flat(item) for item in value)
        return str(value)

    return flat(detail)


def _source_choices(user) -> list[dict]:
    viewer = Viewer(user=user)
    layers = [layer for layer in registry.listed(viewer)
              if layer.kind == "vector" and not layer.name.startswith("analysis-")]
    return sorted(({"name": layer.name, "title_ko": layer.title_ko, "title_en": layer.title_en,
                    "dated": bool(layer.datetime_field), "open_data": source_is_open_data(layer.name)}
                   for layer in layers), key=lambda item: item["name"])


def analysis_index(request):
    form = {"name": "", "method": "coverage", "source": "", "parameters": "{}"}
    if request.method == "POST":
        if not Analysis.can_create(request.user):
            return HttpResponseForbidden(gettext("Only analysts run analyses"))
        form = {key: request.POST.get(key, "").strip() for key in form}
        try:
            extra = json.loads(form["parameters"] or "{}")
            if not isinstance(extra, dict):
                raise ValueError
        except ValueError:
            messages.error(request, gettext("Extra parameters must be a JSON object"))
        else:
            try:
                analysis = analysis_create(user=request.user, name=form["name"] or "analysis", method=form["method"],
                                           parameters={"source": form["source"], **extra})
                analysis_run(analysis=analysis, user=request.user)
                return redirect("analysis-page", pk=analysis.pk)
            except (DRFValidationError, ValidationError) as exc:
                messages.error(request, _error_text(exc))
    analyses = analysis_list(user=request.user)
    return render(request, "analysis/list.html", {
        "published": [a for a in analyses if a.is_published],
        "drafts": [a for a in analyses if not a.is_published],
        "can_create": Analysis.can_create(request.user),
        "methods": Method.choices,
        "sources": _source_choices(request.user) if Analysis.can_create(request.user) else [],
        "form": form,
    }, status=400 if request.method == "POST" else 200)


def analysis_page(request, pk):
    analysis = analysis_get(pk=pk, user=request.user)
    if request.method == "POST":
        if not analysis.can_edit(request.user):
            return HttpResponseForbidden(gettext("Only the author or city staff"))
        action = request.POST.get("action")
        try:
            if action == "run":
                analysis_run(analysis=analysis, user=request.user)
            elif action in ("publish", "unpublish"):
                analysis_publish(analysis=analysis, user=request.user, published=action == "publish")
            else:
                messages.error(request, gettext("Unknown action"))
        except (DRFValidationError, ValidationError) as exc:
            messages.error(request, _error_text(exc))
        return redirect("analysis-page", pk=analysis.pk)
    outputs = AnalysisOutputSerializer(analysis.outputs.all(), many=True, context={"request": request}).data
    sources = []
    viewer = request_viewer(request)
    for name in analysis.sources:
        layer = layer_visible(name, viewer)  # a source's name is shown only to those who may see the source
        sources.append({"name": name, "title_ko": layer.title_ko if layer else name,
                        "title_en": layer.title_en if layer else name,
                        "attribution": layer.attribution if layer else "",
                        "open_data": source_is_open_data(name)})
    return render(request, "analysis/detail.html", {
        "analysis": analysis,
        "outputs": outputs,
        "sources": sources,
        "parameters": sorted(analysis.parameters.items()),
        "can_edit": analysis.can_edit(request.user),
        "api_url": reverse("analysis-detail", args=[analysis.pk]),
        "records_url": reverse("analysis-records-export", args=[analysis.pk]),
        "page_config": {"analysis": analysis.pk, "outputs": list(outputs)},
    })
