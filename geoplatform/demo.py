"""Demo data for `make run`: each app may offer `<app>/demo.py` with `load_demo(stdout)`.

Every loader is idempotent and uses the real Seoul data in data/seoul/. Sample
records are marked as such in their text so nobody mistakes them for real ones.
"""
from importlib import import_module

from django.apps import apps

SAMPLE_MARK = "[샘플]"  # starts every sample text, so loaders find their own rows (and people see it)
DEMO_PASSWORD = "seoul-demo-2026"
DEMO_USERS = [
    # username, role, district codes
    ("citizen", "citizen", []),
    ("citizen2", "citizen", []),
    ("officer-gangnam", "district_officer", ["11680"]),
    ("officer-mapo", "district_officer", ["11440"]),
    ("staff", "city_staff", []),
    ("analyst", "analyst", []),
]


def demo_users_load(stdout) -> dict:
    from django.contrib.auth import get_user_model

    from django.utils import timezone

    from accounts.services import role_grant

    User = get_user_model()
    users = {}
    for username, role, codes in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={
            "email": f"{username}@example.org", "email_verified_at": timezone.now()})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        role_grant(user=user, role=role, district_codes=codes)
        users[username] = user
    stdout.write(f"demo users: {', '.join(users)} (password: {DEMO_PASSWORD})")
    return users


def demo_users(stdout) -> dict:
    """The demo users by username, made (with their roles) when any is missing."""
    from django.contrib.auth import get_user_model

    names = [username for username, _role, _codes in DEMO_USERS]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    return users if len(users) == len(names) else demo_users_load(stdout)


def demo_load(stdout) -> None:
    demo_users_load(stdout)
    for config in apps.get_app_configs():
        if config.name == "geoplatform":
            continue
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        module.load_demo(stdout)
