from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .api import ApiRoot
from .health import healthz
from .media import media_serve

api_patterns = [
    path("", ApiRoot.as_view(), name="api-root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("", include("accounts.urls")),
    path("", include("districts.urls")),
    path("", include("jobs.urls")),
    path("", include("layers.urls")),
    path("", include("maps.urls")),
    path("", include("reports.urls")),
    path("", include("moderation.urls")),
    path("", include("audit.urls")),
    path("", include("notifications.urls")),
    path("", include("dashboards.urls")),
    path("", include("meetings.urls")),
    path("", include("analysis.urls")),
    path("", include("campaigns.urls")),
    path("", include("feedback.urls")),
    path("", include("projects.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("ogc/", include("layers.urls_ogc")),
    path("open311/v2/", include("reports.urls_open311")),
    path("", include("layers.urls_tiles")),
    path("", include("accounts.page_urls")),
    path("", include("layers.page_urls")),
    path("", include("maps.page_urls")),
    path("", include("reports.page_urls")),
    path("", include("moderation.page_urls")),
    path("", include("dashboards.page_urls")),
    path("", include("meetings.page_urls")),
    path("", include("analysis.page_urls")),
    path("", include("campaigns.page_urls")),
    path("", include("feedback.page_urls")),
    path("", include("projects.page_urls")),
    path("", include("frontend.urls")),
]

# Uploaded files only through the permission check, under DEBUG too (geoplatform/media.py).
urlpatterns += [re_path(r"^media/(?P<path>.+)$", media_serve, name="media")]
