"""Citizen accounts for `make load`: load-0001 … load-NNNN, active and e-mail-verified, with the demo password.

Sign-up activates an account only through its e-mailed link (#16), so simulated citizens sign in to
accounts made here instead of signing up. Known passwords: refuses without DEBUG unless --force.
"""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from geoplatform.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Create N active, verified citizen accounts load-0001… for the load test (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=60)
        parser.add_argument("--force", action="store_true", help="create them even when DEBUG is off")

    def handle(self, *args, count, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Load accounts have a known password: refusing without DEBUG (use --force on a throwaway site).")
        if not 1 <= count <= 10_000:
            raise CommandError("--count must be between 1 and 10000.")
        User = get_user_model()
        wanted = [f"load-{n:04d}" for n in range(1, count + 1)]
        existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        password = make_password(DEMO_PASSWORD)
        now = timezone.now()
        User.objects.bulk_create([
            User(username=name, email=f"{name}@example.org", email_verified_at=now, is_active=True, password=password)
            for name in wanted if name not in existing])
        self.stdout.write(f"load accounts: {count} (load-0001 … load-{count:04d}; {count - len(existing)} new)")
