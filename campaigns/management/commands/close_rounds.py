from django.core.management.base import BaseCommand

from campaigns.services import rounds_close_due


class Command(BaseCommand):
    help = "Freeze and publish the ranking of every voting round that has ended (run it from cron; idempotent)."

    def handle(self, *args, **options):
        closed = rounds_close_due()
        self.stdout.write(f"closed {len(closed)} round(s)" + (f": {', '.join(map(str, closed))}" if closed else ""))
