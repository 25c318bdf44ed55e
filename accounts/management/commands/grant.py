from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.services import role_grant


class Command(BaseCommand):
    help = "Give USERNAME a role; district officers also get --district MOIS codes (e.g. 11680 for Gangnam-gu)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("--district", action="append", default=[], help="MOIS sigungu code; repeatable")

    def handle(self, username, role, district, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.")
        try:
            role_grant(user=user, role=role, district_codes=district)
        except ValidationError as exc:
            raise CommandError("; ".join(m for msgs in exc.message_dict.values() for m in msgs))
        codes = sorted(user.districts.values_list("code", flat=True))
        self.stdout.write(f"{username} is now {role}" + (f" for {', '.join(codes)}" if codes else ""))
