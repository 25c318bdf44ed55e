"""manage.py build_tile_aggregates [LAYER ...] [--missing]: (re)build the pre-aggregated low zooms of aggregated layers
(bin/setup runs it with --missing after migrating and loading the demo, so `make run` serves them).

Each layer is rebuilt as the worker rebuilds it (`layers.tasks.aggregates_rebuild_task`): after the new rows commit, the
layer's tile URLs change and its cached tiles are dropped, so no tile drawn before (from the rows or the old
aggregates, e.g. of a deploy that changed the layer's zooms) is served again."""
import time

from django.core.management.base import BaseCommand, CommandError

from layers.registry import Viewer, registry
from layers.selectors import aggregates_ready
from layers.tasks import aggregates_rebuild_task


class Command(BaseCommand):
    help = "Build the pre-aggregated clusters (layers/aggregates.py) of the named layers, or of every aggregated layer."

    def add_arguments(self, parser):
        parser.add_argument("layers", nargs="*")
        parser.add_argument("--missing", action="store_true", dest="missing_only",
                            help="only the layers whose aggregates are not built for their current version")

    def handle(self, *args, layers, missing_only=False, **options):
        if layers:
            found = [registry.get(name) for name in layers]
            missing = [name for name, layer in zip(layers, found) if layer is None]
            if missing:
                raise CommandError(f"No layer named {', '.join(missing)}.")
        else:
            found = [layer for layer in registry.listed(Viewer.anonymous()) if layer.aggregated]
        for layer in found:
            if not layer.aggregated:
                raise CommandError(f"{layer.name} is not an aggregated layer (Layer.aggregated).")
            if missing_only and aggregates_ready(layer):
                continue
            started = time.monotonic()
            aggregates_rebuild_task.call(layer.name)
            self.stdout.write(f"{layer.name}: built in {time.monotonic() - started:.1f} s")
