"""Indicators: figures per district (and dong) per period, imported by city staff or computed by the platform.

Every import is a new `IndicatorImport` version; the latest version is current and
older ones stay, so nothing is ever silently overwritten.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from accounts.permissions import is_city_staff

from .managers import FeedbackQuerySet, IndicatorQuerySet, IndicatorValueQuerySet
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

PERIOD_RE = r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$"
period_validator = RegexValidator(
    PERIOD_RE, _("Use a period like 2025, 2025-09 or 2025-Q3."))


class Theme(models.TextChoices):
    SAFETY = "safety", _("Safety")
    TRANSPORT = "transport", _("Transport")
    ENVIRONMENT = "environment", _("Environment")
    WELFARE = "welfare", _("Welfare")
    CULTURE = "culture", _("Culture")
    PARTICIPATION = "participation", _("Participation")


class Indicator(models.Model):
    class Kind(models.TextChoices):
        IMPORTED = "imported", _("Imported from a file")
        COMPUTED = "computed", _("Computed by the platform")

    class Classification(models.TextChoices):
        QUANTILE = "quantile", _("Quantiles")
        FIXED = "fixed", _("Fixed breaks")

    class Frequency(models.TextChoices):
        CONTINUOUS = "continuous", _("Continuously")
        DAILY = "daily", _("Daily")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    slug = models.SlugField(max_length=80, unique=True)
    name_ko = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    theme = models.CharField(max_length=20, choices=Theme.choices)
    unit_ko = models.CharField(max_length=40, blank=True)
    unit_en = models.CharField(max_length=40, blank=True)
    # Staff's words, or for computed indicators an English msgid (`source_text` reads it in the reader's language)
    source_department = models.CharField(max_length=200, blank=True)
    update_frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY)
    definition_ko = models.TextField(blank=True)
    definition_en = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.IMPORTED)
    computation = models.CharField(max_length=60, blank=True, help_text="key of the computation (computed indicators)")
    classification = models.CharField(max_length=10, choices=Classification.choices, default=Classification.QUANTILE)
    class_count = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(2), MaxValueValidator(7)])
    breaks = models.JSONField(default=list, blank=True, help_text="upper bounds of all classes but the last (fixed breaks)")
    class Aggregate(models.TextChoices):
        SUM = "sum", _("Seoul total")
        MEAN = "mean", _("District average")

    aggregate = models.CharField(max_length=4, choices=Aggregate.choices, default=Aggregate.MEAN,
                                 help_text="how the city-wide figure is made from the district values")
    higher_is_better = models.BooleanField(default=True)
    is_published = models.BooleanField(default=True)
    last_updated_at = models.DateTimeField(null=True, blank=True)
    refresh_queued_at = models.DateTimeField(null=True, blank=True, editable=False,
                                             help_text="when a refresh of this computed indicator was queued and has "
                                                       "not started yet (services.computed_refresh_queue)")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["theme", "slug"]
        indexes = [models.Index(fields=["theme"], name="indicator_theme_idx")]

    def __str__(self):
        return (self.name_en or self.name_ko) if (get_language() or "ko").startswith("en") else self.name_ko

    @property
    def source_text(self) -> str:
        """Where the figures come from, in the reader's language (staff's own words stay as written)."""
        return gettext(self.source_department) if self.source_department else ""

    @property
    def layer_name(self) -> str:
        return f"indicator-{self.pk}"

    def clean(self):
        if self.kind == self.Kind.COMPUTED:
            from .computed import COMPUTATIONS

            if self.computation not in COMPUTATIONS:
                raise ValidationError({"computation": _("Unknown computation.")})
        if self.classification == self.Classification.FIXED:
            breaks = self.breaks
            if (not isinstance(breaks, list) or not breaks or len(breaks) > 6
                    or not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in breaks)
                    or sorted(set(breaks)) != breaks):
                raise ValidationError({"breaks": _("Fixed breaks are 1 to 6 increasing numbers.")})

    # --- permission rules -------------------------------------------------------
    def can_view(self, user) -> bool:
        return self.is_published or is_city_staff(user)

    @staticmethod
    def can_manage(user) -> bool:
        return is_city_staff(user)


class IndicatorImport(models.Model):
    """One version of an indicator's values: an upload, an admin edit or a computation run."""

    class Source(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        ADMIN = "admin", _("Edited by staff")
        COMPUTED = "computed", _("Computed by the platform")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="imports")
    version = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=Source.choices)
    file_name = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_carried = models.PositiveIntegerField(default=0, help_text="values kept from the previous version")
    errors = models.JSONField(default=list, blank=True, help_text='[{"row": 3, "message": "…"}]')
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["indicator", "-version"]
        constraints = [models.UniqueConstraint(fields=["indicator", "version"], name="indicator_import_version_uniq")]

    def __str__(self):
        return f"{self.indicator.slug} v{self.version}"


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    version = models.ForeignKey(IndicatorImport, on_delete=models.CASCADE, related_name="values")
    district = models.ForeignKey("districts.District", on_delete=models.CASCADE, related_name="+")
    dong = models.ForeignKey("districts.Dong", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=7, validators=[period_validator])
    value = models.FloatField()

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        ordering = ["period", "district__code"]
        constraints = [models.UniqueConstraint(fields=["version", "district", "dong", "period"],
                                               nulls_distinct=False, name="indicator_value_uniq")]
        indexes = [models.Index(fields=["version", "period"], name="indicator_value_version_idx")]

    def clean(self):
        if self.dong_id and self.district_id and self.dong.district_id != self.district_id:
            raise ValidationError({"dong": _("The dong is not in that district.")})


class IndicatorFeedback(models.Model):
    """A signed-in citizen's comment or rating on an indicator; city staff answer publicly."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    district = models.ForeignKey("districts.District", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    rating = models.PositiveSmallIntegerField(null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    body = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reply = models.TextField(max_length=4000, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    replied_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def clean(self):
        if self.rating is None and not self.body.strip():
            raise ValidationError(_("Write a comment or give a rating."))
