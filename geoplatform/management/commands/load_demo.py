from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from geoplatform.demo import demo_load


class Command(BaseCommand):
    help = "Load demo users and sample content over the real Seoul layers (idempotent). Refuses without DEBUG unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="load even when DEBUG is off")

    def handle(self, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data has known passwords: refusing without DEBUG (use --force on a throwaway site).")
        demo_load(self.stdout)
