from django.core.management.base import BaseCommand

from dashboards.services import computed_indicators_ensure, computed_indicators_refresh


class Command(BaseCommand):
    help = "Recompute the computed indicators now (run it from cron, e.g. nightly, besides the automatic refreshes)."

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="*", help="computation keys (default: all)")

    def handle(self, *args, keys, **options):
        computed_indicators_ensure()
        for slug, version in computed_indicators_refresh(keys=keys or None).items():
            self.stdout.write(f"{slug}: {'version ' + str(version) if version else 'unchanged'}")
