"""A limit on layer exports: each one reads the whole layer (the reports layer: 1,000,000 rows a CSV of 145 MB in
6.5 s, a GeoPackage in 26 s; 9,000,000 a year), so one account or one address may not ask for them without end.

The rate is `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["exports"]` (`THROTTLE_EXPORTS`, 20/hour), counted per user
and per client IP like content creation (geoplatform.throttles). Anonymous requests are not counted: they are
answered 401 before any row is read."""
from django.utils.translation import gettext_lazy as _

from geoplatform.throttles import CreationRateThrottle, CreationThrottled


class ExportsThrottled(CreationThrottled):
    default_detail = _("Too many exports in a short time.")


class ExportRateThrottle(CreationRateThrottle):
    default_scope = "exports"
    counts_reads = True
    exception_class = ExportsThrottled

    def allow_request(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return True
        return super().allow_request(request, view)
