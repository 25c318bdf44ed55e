"""The web app's pages. Each renders a template extending `frontend/base.html`; the page's script
reads what it needs from the API (the page hands ids and options through `page_config`)."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.cache import cache_control
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.services import email_change_request, email_verify
from districts.models import District
from layers.access import layer_for_viewer, layer_visible, request_viewer
from layers.query import request_secret

from .forms import EmailChangeForm, SignupForm
from .templatetags.ui import t


def _safe_next(request, default="/"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def set_language(request):
    """Django's language switch, and a signed-in reader's account remembers the choice."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    code = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and code in dict(settings.LANGUAGES):
        if request.user.preferred_language != code:
            request.user.preferred_language = code
            request.user.save(update_fields=["preferred_language"])
    return response


def home(request):
    return render(request, "frontend/home.html", {"page_config": {}})


@login_required
def map_new(request):
    return render(request, "frontend/map_new.html", {"page_config": {}})


def map_detail(request, map_id: int):
    """A map's page; a map that does not exist (or is not the reader's to see) is a 404, as in the API."""
    from maps.selectors import map_get_for

    key = request_secret(request)
    map_get_for(user=request.user, pk=map_id, secret=key)
    return render(request, "frontend/map_detail.html", {"page_config": {"mapId": map_id, "key": key}})


def map_edit(request, map_id: int):
    from maps.selectors import map_get_for

    key = request_secret(request)
    if not request.user.is_authenticated and not key:
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    map_get_for(user=request.user, pk=map_id, secret=key)
    return render(request, "frontend/map_edit.html", {"page_config": {"mapId": map_id, "key": key}})


@cache_control(public=True, max_age=3600)
def district_labels(request):
    """One label point per district (inside its polygon): vector tiles would repeat a name per tile."""
    from django.contrib.gis.db.models.functions import PointOnSurface

    features = [
        {"type": "Feature", "id": d.code, "geometry": {"type": "Point", "coordinates": [round(d.label.x, 6), round(d.label.y, 6)]},
         "properties": {"code": d.code, "name_ko": d.name_ko, "name_en": d.name_en}}
        for d in District.objects.annotate(label=PointOnSurface("geom")).only("code", "name_ko", "name_en")
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


# The city's open-data points that orient a reader at street zoom when there is no base map, besides the
# subway stations (named in both languages by districts.selectors.station_labels): the layer, its kind
# (drawing) and the zoom from which it shows. Datasets not loaded are left out.
LANDMARKS = (("dataset-seoul_public_libraries", "library", 15), ("dataset-seoul_public_toilets", "toilets", 16.5))


@cache_control(public=True, max_age=300)
def orientation(request):
    """What a map without a base map draws to orient people at street zoom (frontend js/map/index.js):
    one label point per dong (tiles would repeat a name per tile), the subway stations named in both
    languages, and the tile URLs of the other landmark layers (their names are in Korean only)."""
    from django.contrib.gis.db.models.functions import PointOnSurface

    from districts.models import Dong
    from districts.selectors import station_labels
    from layers.styles import tilejson

    dongs = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(d.label.x, 6), round(d.label.y, 6)]},
         "properties": {"name_ko": d.name_ko, "name_en": d.name_en}}
        for d in Dong.objects.annotate(label=PointOnSurface("geom")).only("name_ko", "name_en")
    ]
    viewer = request_viewer(request)
    landmarks = []
    for name, kind, minzoom in LANDMARKS:
        layer = layer_visible(name, viewer)
        if layer is not None and layer.public:
            doc = tilejson(request, layer)
            landmarks.append({"kind": kind, "minzoom": minzoom, "tiles": doc["tiles"], "maxzoom": doc["maxzoom"],
                              "sourceLayer": doc["vector_layers"][0]["id"], "attribution": doc["attribution"]})
    stations = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [s.pop("lon"), s.pop("lat")]},
                 "properties": s} for s in station_labels()]
    return JsonResponse({"dongs": {"type": "FeatureCollection", "features": dongs},
                         "stations": {"type": "FeatureCollection", "features": stations}, "landmarks": landmarks},
                        json_dumps_params={"ensure_ascii": False})


def layer_page(request, name: str):
    """Any layer of the catalogue on a map of its own (the layer switcher links here)."""
    layer = layer_for_viewer(name, request_viewer(request))
    return render(request, "frontend/layer.html", {"layer": layer, "page_config": {"layer": layer.name}})


def report_new(request):
    return render(request, "frontend/report_new.html", {"page_config": {}})


def report_detail(request, report_id: int):
    """A report's page; a missing report (or one not the reader's to see) is a 404, as in the API."""
    from rest_framework.exceptions import NotFound

    from reports.selectors import report_access

    try:
        report_access(user=request.user, report_id=report_id)
    except NotFound:
        raise Http404
    return render(request, "frontend/report_detail.html", {"page_config": {"reportId": report_id}})


@login_required
def review(request):
    if not request.user.is_district_officer:
        return render(request, "frontend/forbidden.html", status=403)
    from django.contrib.gis.db.models import Extent

    districts = list(District.objects.order_by("name_ko").values("code", "name_ko", "name_en"))
    mine = sorted(request.user.officer_district_codes())
    # The map opens on the officer's own districts, not on all of Seoul.
    extent = District.objects.filter(code__in=mine).aggregate(extent=Extent("geom"))["extent"]
    bounds = [[extent[0], extent[1]], [extent[2], extent[3]]] if extent else None
    return render(request, "frontend/review.html", {"page_config": {
        "districts": districts, "mine": mine, "bounds": bounds}})


@login_required
def moderation(request):
    if not request.user.is_city_staff:
        return render(request, "frontend/forbidden.html", status=403)
    return render(request, "frontend/moderation.html", {"page_config": {}})


@login_required
def account(request):
    return render(request, "frontend/accounts/account.html", {"email_form": EmailChangeForm()})


@login_required
@require_http_methods(["POST"])
def account_email(request):
    """Change the e-mail: a link goes to the new address; the old address stays until it is followed."""
    form = EmailChangeForm(request.POST)
    if form.is_valid():
        try:
            email_change_request(user=request.user, email=form.cleaned_data["email"], request=request)
        except ValidationError as exc:
            form.add_error("email", exc.messages)
    if form.errors:
        return render(request, "frontend/accounts/account.html", {"email_form": form}, status=400)
    messages.info(request, _("We sent a link to %(email)s. Your address changes when you open it.")
                  % {"email": form.cleaned_data["email"]})
    return redirect("account")


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form.save(request=request):
        # The same page whether the username was free or taken: the e-mail says which.
        return render(request, "frontend/accounts/signup_done.html", {"email": form.cleaned_data["email"]})
    return render(request, "frontend/accounts/signup.html", {"form": form, "next": _safe_next(request, "")})


def email_verify_page(request, token: str):
    """Where the e-mailed link lands: the address is confirmed (a new account can then sign in)."""
    try:
        user = email_verify(token=token)
    except ValidationError as exc:
        return render(request, "frontend/accounts/verify.html", {"error": " ".join(exc.messages)}, status=400)
    return render(request, "frontend/accounts/verify.html", {"verified_user": user})


class LoginView(auth_views.LoginView):
    template_name = "frontend/accounts/login.html"
    redirect_authenticated_user = True


@require_http_methods(["GET", "POST"])
def logout(request):
    if request.method == "POST":
        auth_logout(request)
        messages.info(request, t("로그아웃했습니다.", "You are signed out."))
        return redirect(_safe_next(request))
    return render(request, "frontend/accounts/logout.html")
