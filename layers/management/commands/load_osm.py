"""`manage.py load_osm EXTRACT`: load an OpenStreetMap extract (`.osm.pbf` or `.osm`) into the base map's table."""
from pathlib import Path

from django.contrib.gis.gdal import GDALException
from django.core.management.base import BaseCommand, CommandError

from layers.services import basemap_osm_load


class Command(BaseCommand):
    help = ("Load an OpenStreetMap extract (.osm.pbf or .osm, read with GDAL's OSM driver) into the base map's "
            "PostGIS table (layers_basemapfeature), replacing what an earlier load put there")

    def add_arguments(self, parser):
        parser.add_argument("extract", type=Path, help="e.g. var/basemap/seoul.osm.pbf")

    def handle(self, extract: Path, **options):
        if not extract.is_file():
            raise CommandError(f"No such file: {extract}")
        if not extract.name.endswith((".osm", ".osm.pbf", ".pbf")):
            raise CommandError(f"{extract}: give an OpenStreetMap extract ending in .osm.pbf or .osm")
        try:
            counts = basemap_osm_load(path=extract)
        except (ValueError, GDALException) as exc:  # not an extract GDAL can read
            raise CommandError(str(exc)) from exc
        total = sum(counts.values())
        self.stdout.write(f"base map: {total:,} OpenStreetMap features loaded from {extract.name} ("
                          + ", ".join(f"{layer} {count:,}" for layer, count in sorted(counts.items())) + ")")
