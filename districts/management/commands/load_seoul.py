from django.core.management.base import BaseCommand

from districts.services import seoul_load


class Command(BaseCommand):
    help = "Load (or refresh) Seoul's 25 districts and 424 dongs with resident counts from data/seoul/."

    def handle(self, **options):
        gu, dong = seoul_load()
        self.stdout.write(f"Seoul: {gu} districts, {dong} dongs loaded")
