from django.core.management.base import BaseCommand

from campaigns.services import steps_close_due


class Command(BaseCommand):
    help = ("Close every timed citizen step that is due: freeze and publish the ranking of each round that has "
            "ended (support collection closes with it) and close each citizen evaluation whose time is up. "
            "Run it from cron; idempotent.")

    def handle(self, *args, **options):
        closed = steps_close_due()
        rounds, evaluations = closed["rounds"], closed["evaluations"]
        self.stdout.write(f"closed {len(rounds)} round(s)" + (f": {', '.join(map(str, rounds))}" if rounds else ""))
        self.stdout.write(f"closed {len(evaluations)} citizen evaluation step(s)"
                          + (f": proposals {', '.join(map(str, evaluations))}" if evaluations else ""))
