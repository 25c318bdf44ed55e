"""Reports people may flag: hidden reports leave the public list, the API and the `reports` layer."""
from layers.services import tile_cache_invalidate
from moderation.flaggable import Flaggable, flaggables

from .layers import REPORT_LAYER
from .models import Report

flaggables.register(Flaggable(
    target_type="report",
    model=Report,
    can_view=lambda report, user: not report.is_hidden and report.can_view(user),
    changed=lambda report: tile_cache_invalidate(layer_name=REPORT_LAYER, geometries=[report.public_geom]),
    owner=lambda report: report.reporter,
    notification_links=lambda report: {"report": report},
))
