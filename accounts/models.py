from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .names import validate_not_reserved


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    CITY_STAFF = "city_staff", _("City staff")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A platform user. One role; `admin` holds every power of the others."""

    role = models.CharField(max_length=32, choices=Role.choices, default=Role.CITIZEN)
    districts = models.ManyToManyField(
        "districts.District",
        blank=True,
        related_name="officers",
        help_text=_("Districts a district officer answers for."),
    )
    display_name = models.CharField(max_length=80, blank=True,
                                    help_text=_("Names of the city's official accounts are reserved."))
    # The account's language ("" = none chosen: the page's, then the browser's); see geoplatform/i18n.py.
    preferred_language = models.CharField(max_length=8, blank=True, default="",
                                          choices=[("ko", "한국어"), ("en", "English")])
    is_banned = models.BooleanField(default=False, help_text=_("Banned users cannot create content."))
    anonymised_at = models.DateTimeField(null=True, blank=True)
    email_verified_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the owner proved the current e-mail address is theirs (signed link)."))

    class Meta:
        db_table = "accounts_user"

    def __str__(self):
        return self.display_name or self.username

    def clean(self):
        super().clean()
        self.display_name_check(self.display_name)

    def display_name_check(self, name: str) -> None:
        """Official-sounding names ("서울시청 공식", "Official", "구청"…) only for official accounts (by role)."""
        if name and not self.is_official:
            try:
                validate_not_reserved(name)
            except ValidationError as exc:
                raise ValidationError({"display_name": exc.messages})

    # --- role rules: one place, many doors ---------------------------------
    def has_role(self, *roles: str) -> bool:
        if not self.is_active:
            return False
        return self.role == Role.ADMIN or self.is_superuser or self.role in roles

    @property
    def is_city_staff(self) -> bool:
        return self.has_role(Role.CITY_STAFF)

    @property
    def is_analyst(self) -> bool:
        return self.has_role(Role.ANALYST, Role.CITY_STAFF)

    @property
    def is_district_officer(self) -> bool:
        return self.has_role(Role.DISTRICT_OFFICER)

    def officer_district_codes(self) -> set[str]:
        """MOIS codes of the districts this user answers for (all of them for admins)."""
        if self.role == Role.ADMIN or self.is_superuser:
            from districts.models import District

            return set(District.objects.values_list("code", flat=True))
        if self.role != Role.DISTRICT_OFFICER:
            return set()
        return set(self.districts.values_list("code", flat=True))

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None and bool(self.email)

    @property
    def is_official(self) -> bool:
        """Speaks for the city or a district office: shown with an official badge (by role, never by name)."""
        return self.is_active and not self.anonymised_at and (
            self.is_superuser or self.role in (Role.DISTRICT_OFFICER, Role.CITY_STAFF, Role.ADMIN))

    @property
    def public_name(self) -> str:
        """The name others see: the display name, else the user name; never an e-mail address (a user name may be
        one, since sign-up allows `@`: then only the part before the `@` is shown)."""
        if self.anonymised_at:
            return ""
        return self.display_name or self.username.split("@", 1)[0]
