"""manage.py build_tileset LAYER --minzoom 0 --maxzoom 14 --format pmtiles|mbtiles [--bbox w,s,e,n] [--output PATH]"""
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from tqdm import tqdm

from jobs.services import JobReporter, job_create, job_finish
from layers.query import bbox_parse
from layers.registry import registry
from layers.styles import layer_bounds
from layers.tilegrid import count_tiles_in_bbox
from layers.tilesets import FORMATS, build_tileset


def _bbox(text: str):
    try:
        return bbox_parse(text, max_lat=85.06).extent  # Web Mercator stops at ±85.06°
    except ValidationError:
        raise CommandError("--bbox is west,south,east,north in degrees, e.g. 126.76,37.42,127.18,37.70")


class Command(BaseCommand):
    help = "Build a PMTiles or MBTiles file of a public layer, with a progress bar and a job row."

    def add_arguments(self, parser):
        parser.add_argument("layer")
        parser.add_argument("--minzoom", type=int, default=0)
        parser.add_argument("--maxzoom", type=int, default=14)
        parser.add_argument("--format", choices=FORMATS, default="pmtiles")
        parser.add_argument("--bbox", type=_bbox, default=None, help="west,south,east,north (default: the layer's bounds)")
        parser.add_argument("--output", type=Path, default=None)

    @no_translations  # an operator's command: English, and its job's error is stored as an English msgid
    def handle(self, *args, layer, minzoom, maxzoom, format, bbox, output, **options):
        layer_obj = registry.get(layer)
        if layer_obj is None:
            raise CommandError(f"No layer named {layer!r}.")
        if not 0 <= minzoom <= maxzoom <= 22:
            raise CommandError("Zooms must satisfy 0 <= minzoom <= maxzoom <= 22.")
        output = output or Path(settings.TILESETS_DIR) / f"{layer_obj.name}.{format}"
        total = count_tiles_in_bbox(tuple(bbox or layer_bounds(layer_obj)), minzoom, maxzoom)
        job = job_create(kind="tileset_build", total=total,
                         message=f"{layer_obj.name} z{minzoom}-{maxzoom} → {format}")
        reporter = JobReporter(job, total, every=max(1, total // 100))
        bar = tqdm(total=total, unit="tile", desc=layer_obj.name, file=self.stderr._out,
                   disable=options.get("verbosity", 1) == 0)

        def progress(done):
            bar.update(1)
            reporter(done)

        try:
            result = build_tileset(layer=layer_obj, minzoom=minzoom, maxzoom=maxzoom, fmt=format,
                                   output=output, bbox=bbox, progress=progress)
        except ValueError as error:
            job_finish(job=job, error=str(error))
            raise CommandError(str(error)) from error
        except Exception as error:
            job_finish(job=job, error=f"{type(error).__name__}: {error}")
            raise
        finally:
            bar.close()
        job_finish(job=job, result={"path": str(result.path), "tiles": result.tiles_written,
                                    "visited": result.tiles_visited, "format": format})
        self.stdout.write(f"{result.path}: {result.tiles_written} tiles ({result.tiles_visited} visited), job {job.pk}")
