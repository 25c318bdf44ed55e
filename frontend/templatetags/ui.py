"""Template helpers shared by every page that extends `frontend/base.html`.

- `{% t "지도" "Maps" %}`: the Korean or English text for the active language (escaped as usual);
- `{{ obj|loc:"title" }}`: `obj.title_en` in English, `obj.title_ko` otherwise (dicts too);
- `{% gp_config as cfg %}{{ cfg|json_script:"gp-config" }}`: what the JS modules need to start;
- `{% nav_current "/" "/maps/" %}`: `aria-current="page"` when the request path is under that prefix.
"""
from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from layers.basemap import basemap_config

register = template.Library()


def _english() -> bool:
    return (get_language() or settings.LANGUAGE_CODE).startswith("en")


@register.simple_tag
def t(korean: str, english: str) -> str:
    return english if _english() else korean


@register.filter
def loc(obj, field: str):
    suffix = "en" if _english() else "ko"
    other = "ko" if suffix == "en" else "en"
    getter = obj.get if isinstance(obj, dict) else lambda name, default=None: getattr(obj, name, default)
    return getter(f"{field}_{suffix}", None) or getter(f"{field}_{other}", None) or getter(field, "") or ""


def user_config(user) -> dict | None:
    if not user.is_authenticated:
        return None
    return {
        "id": user.pk,
        "username": user.username,
        "name": str(user),
        "role": user.role,
        "isOfficer": user.is_district_officer,
        "isCityStaff": user.is_city_staff,
        "isAnalyst": user.is_analyst,
        "districts": sorted(user.officer_district_codes()),
    }


OPTIONAL_APIS = {
    "maps": "/api/maps/",
    "reports": "/api/reports/",
    "notifications": "/api/notifications/",
    "campaigns": "/api/campaigns/",
    "layers": "/api/layers/",
    "flags": "/api/moderation/flags/",
    "templates": "/api/templates/",
}


def api_available(path: str) -> bool:
    """Whether an API other apps provide is routed (the app only calls what exists: no 404s)."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.url_name not in ("home",) and not match.route.startswith("<")


@register.simple_tag(takes_context=True)
def gp_config(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "lang": "en" if _english() else "ko",
        "csrfToken": get_token(request) if request is not None else "",
        "user": user_config(user) if user is not None else None,
        "basemap": basemap_config(),
        "static": settings.STATIC_URL,
        "apis": {name: api_available(path) for name, path in OPTIONAL_APIS.items()},
        "page": context.get("page_config", {}),
    }


@register.simple_tag(takes_context=True)
def nav_current(context, *prefixes: str) -> str:
    request = context.get("request")
    path = getattr(request, "path", "")
    current = any(path == "/" if prefix == "/" else path.startswith(prefix) for prefix in prefixes)
    return mark_safe('aria-current="page"') if current else ""  # a constant, no user input


MAP_MODULES = ("config", "api/request", "i18n/index", "i18n/messages", "ui/dom", "map/index", "map/layers", "map/popup",
               "map/features", "map/switcher")


@register.simple_tag
def map_modules() -> list[str]:
    """The app modules every map page imports (preloaded side by side by includes/map_preload.html)."""
    return [f"{settings.STATIC_URL}frontend/js/{name}.js" for name in MAP_MODULES]
