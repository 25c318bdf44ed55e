from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    display_name = models.CharField(max_length=80, blank=True)
    # The account's language ("" = none chosen: the page's, then the browser's); see geoplatform/i18n.py.
    preferred_language = models.CharField(max_length=8, blank=True, default="",
                                          choices=[("ko", "한국어"), ("en", "English")])
    is_banned = models.BooleanField(default=False, help_text=_("Banned users cannot create content."))
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_user"

    def __str__(self):
        return self.display_name or self.username

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
    def public_name(self) -> str:
        return "" if self.anonymised_at else str(self)
