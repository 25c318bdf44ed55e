from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        from . import lockout  # noqa: F401  (connects the growing lock-out to django-axes' signal)
