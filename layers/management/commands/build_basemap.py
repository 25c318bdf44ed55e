"""`manage.py build_basemap OUTPUT.pmtiles`: the base map's tiles from the OpenStreetMap features `load_osm` stored."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from layers.services import basemap_build


class Command(BaseCommand):
    help = ("Write the base map's vector tiles (Protomaps basemap schema) from the OpenStreetMap features loaded with "
            "load_osm, as a PMTiles archive to serve with BASEMAP_PMTILES")

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path, help="e.g. var/basemap/seoul.pmtiles")
        parser.add_argument("--minzoom", type=int, default=8)
        parser.add_argument("--maxzoom", type=int, default=15)

    def handle(self, output: Path, minzoom: int, maxzoom: int, **options):
        if not 0 <= minzoom <= maxzoom <= 16:
            raise CommandError("Give zooms with 0 <= --minzoom <= --maxzoom <= 16.")
        if output.suffix != ".pmtiles":
            raise CommandError(f"{output}: the archive's name ends in .pmtiles")
        output.parent.mkdir(parents=True, exist_ok=True)
        try:
            written = basemap_build(output=output, minzoom=minzoom, maxzoom=maxzoom)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"base map: {written:,} tiles (zoom {minzoom}–{maxzoom}) written to {output}; "
                          f"serve it with BASEMAP_PMTILES={output}")
