"""HTML pages: the list of published analyses (with a form for analysts) and one analysis with its map."""
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError as DRFValidationError

from layers.access import layer_visible, request_viewer
from layers.registry import Viewer, registry

from .models import Analysis, Method
from .selectors import analysis_access, analysis_list
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


def _m(value) -> str:
    return _("%(n)s m") % {"n": f"{value:,}"}


def _period(value) -> str:
    return f"{value.get('start', '')} – {value.get('end', '')}" if isinstance(value, dict) else str(value)


def _in_words(analysis: Analysis, source_title: str) -> dict:
    """The analysis as a citizen reads it: what the map shows in one sentence, and the settings that
    matter as label/value pairs (never a parameter's name such as `hex_size_m`)."""
    p = analysis.parameters
    units = {"district": _("district (gu)"), "dong": _("neighbourhood (dong)"), "hex": _("hexagon")}
    unit = units.get(p.get("unit", "hex"), "")
    sentences = {
        Method.COVERAGE: _("How far each part of Seoul is from the nearest place in “%(source)s”; parts farther "
                           "than %(threshold)s are under-served."),
        Method.HOTSPOT: _("Where the records of “%(source)s” are concentrated, and where there are clearly more of "
                          "them than around (hot spots)."),
        Method.AGGREGATION: _("The records of “%(source)s” counted per %(unit)s."),
        Method.COMPARISON: _("How the records of “%(source)s” changed per %(unit)s between %(before)s and %(after)s."),
    }
    summary = sentences.get(analysis.method, "") % {
        "source": source_title, "threshold": _m(p.get("threshold_m", 0)), "unit": unit,
        "before": _period(p.get("before", "")), "after": _period(p.get("after", ""))}
    measures = {"count": _("number of records"), "per_km2": _("records per km²"),
                "per_population": _("records per %(n)s residents") % {"n": f"{p.get('per', 10000):,}"}}
    labels = [
        ("source", _("Data"), lambda v: source_title),
        ("unit", _("Areas"), lambda v: units.get(v, v)),
        ("hex_size_m", _("Hexagon size"), _m),
        ("measure", _("Measure"), lambda v: measures.get(v, v)),
        ("bandwidth_m", _("Smoothing distance"), _m),
        ("cell_size_m", _("Density grid"), _m),
        ("classes", _("Density classes"), str),
        ("threshold_m", _("Under-served beyond"), _m),
        ("before", _("First period"), _period),
        ("after", _("Second period"), _period),
    ]
    settings_ = [(label, show(p[key])) for key, label, show in labels
                 if key in p and not (key == "hex_size_m" and p.get("unit", "hex") != "hex")]
    methods = {Method.AGGREGATION: _("Counts per area"), Method.HOTSPOT: _("Hotspots"),
               Method.COVERAGE: _("Distance to the nearest place"), Method.COMPARISON: _("Change between two periods")}
    return {"summary": summary, "settings": settings_, "method": methods.get(analysis.method, "")}


# What each kind of output shows, in words (the output's key is the method's own name for it).
OUTPUT_MEANING = {
    "cells": lambda: _("Each area's records, counted as the legend says."),
    "density": lambda: _("Records per km², smoothed over the neighbourhood: darker is denser."),
    "classes": lambda: _("The same density in classes, as areas you can tap."),
    "gistar": lambda: _("Red: clearly more records than around. Blue: clearly fewer. Light grey: no clear difference."),
    "distance": lambda: _("Metres in a straight line from each hexagon's centre to the nearest place: walking is longer."),
    "change": lambda: _("Records in the second period minus the first: red rose, blue fell."),
}


def _sources(analysis, viewer) -> list[dict]:
    """An analysis's sources as a reader may see them: titles in both languages, never the raw layer name
    (`map-19`); a source the reader may not see is named only as such."""
    sources = []
    for name in analysis.sources:
        layer = layer_visible(name, viewer)  # a source's name is shown only to those who may see the source
        hidden = _("data you may not see")
        sources.append({"name": name, "title_ko": layer.title_ko if layer else hidden,
                        "title_en": layer.title_en if layer else hidden,
                        "attribution": layer.attribution if layer else "",
                        "open_data": source_is_open_data(name)})
    return sources


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
    analyses = list(analysis_list(user=request.user))
    viewer = request_viewer(request)
    for analysis in analyses:
        analysis.source_list = _sources(analysis, viewer)
    return render(request, "analysis/list.html", {
        "published": [a for a in analyses if a.is_published],
        "drafts": [a for a in analyses if not a.is_published],
        "can_create": Analysis.can_create(request.user),
        "methods": Method.choices,
        "sources": _source_choices(request.user) if Analysis.can_create(request.user) else [],
        "form": form,
    }, status=400 if request.method == "POST" else 200)


def analysis_page(request, pk):
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            with transaction.atomic():  # the row locked by the access door holds until the service is done
                analysis = analysis_access(user=request.user, analysis_id=pk, need="edit", lock=True)
                if action == "run":
                    analysis_run(analysis=analysis, user=request.user)
                elif action in ("publish", "unpublish"):
                    analysis_publish(analysis=analysis, user=request.user, published=action == "publish")
                else:
                    messages.error(request, gettext("Unknown action"))
        except (DRFValidationError, ValidationError) as exc:
            messages.error(request, _error_text(exc))
        except PermissionDenied as exc:  # seen but not theirs to change: the API's 403, with its words
            return HttpResponseForbidden(str(exc))
        return redirect("analysis-page", pk=pk)
    analysis = analysis_access(user=request.user, analysis_id=pk)
    outputs = AnalysisOutputSerializer(analysis.outputs.all(), many=True, context={"request": request}).data
    sources = _sources(analysis, request_viewer(request))
    for output in outputs:
        for entry in output.get("legend") or []:
            if entry.get("suppressed"):  # "fewer than k" with k, in words
                entry["label"] = _("hidden: fewer than %(k)s records") % {
                    "k": (output.get("stats") or {}).get("k")}
        meaning = OUTPUT_MEANING.get(output["key"])
        output["meaning"] = meaning() if meaning else ""
        stats = output.get("stats") or {}
        hidden = stats.get("suppressed") if stats.get("suppressed") is not None else stats.get("suppressed_pixels")
        output["privacy"] = (_("To protect the people behind the records, areas with fewer than %(k)s records are not "
                               "shown: so few could point at someone. Hidden this way: %(n)s.")
                             % {"k": stats.get("k"), "n": f"{hidden or 0:,}"}) if stats.get("k_applied") else ""
    title = "title_en" if (get_language() or "ko").startswith("en") else "title_ko"
    return render(request, "analysis/detail.html", {
        "analysis": analysis,
        "in_words": _in_words(analysis, sources[0][title] if sources else ""),
        "outputs": outputs,
        "sources": sources,
        "parameters": sorted(analysis.parameters.items()),
        "can_edit": analysis.can_edit(request.user),
        "api_url": reverse("analysis-detail", args=[analysis.pk]),
        "records_url": reverse("analysis-records-export", args=[analysis.pk]),
        "page_config": {"analysis": analysis.pk, "outputs": list(outputs)},
    })
