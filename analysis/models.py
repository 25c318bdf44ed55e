"""Analyses: named, reproducible runs over layers, whose outputs are layers themselves."""
from django.conf import settings
from django.contrib.postgres.indexes import GistIndex
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from .managers import AnalysisCellQuerySet, AnalysisQuerySet


class Method(models.TextChoices):
    AGGREGATION = "aggregation", _("Aggregation")
    HOTSPOT = "hotspot", _("Hotspots")
    COVERAGE = "coverage", _("Coverage")
    COMPARISON = "comparison", _("Comparison over time")


class Analysis(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Not run yet")
        QUEUED = "queued", _("Waiting to run")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    method = models.CharField(max_length=20, choices=Method.choices)
    parameters = models.JSONField(default=dict, blank=True)
    sources = models.JSONField(default=list, blank=True, help_text="layer names read by the run")
    caveats = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    error = models.TextField(blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    fingerprint = models.CharField(max_length=64, blank=True, help_text="sha256 of method, parameters and input data")
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="analyses")
    created_at = models.DateTimeField(auto_now_add=True)
    ran_at = models.DateTimeField(null=True, blank=True)
    # The owner of a source may withdraw (veto) an analysis of it: it is unpublished and stays so.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    objects = AnalysisQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["is_published", "-created_at"], name="analysis_published_idx")]

    def __str__(self):
        return self.name

    # --- permission rules: one place, many doors ---------------------------
    def can_view(self, user) -> bool:
        """Its author, city staff and the owners of its sources; everyone else only while it is published
        and every source is still one the public may see (a map turned private takes its analyses along)."""
        from .sources import sources_owned_by, sources_public

        if user and user.is_authenticated and (user.pk == self.created_by_id or user.is_city_staff
                                               or sources_owned_by(self.sources, user)):
            return True
        return self.is_published and sources_public(self.sources)

    def can_withdraw(self, user) -> bool:
        """The owner of a source (e.g. the map's owner) may veto an analysis of it."""
        from .sources import sources_owned_by

        return bool(user and user.is_authenticated and sources_owned_by(self.sources, user))

    def can_edit(self, user) -> bool:
        return bool(user and user.is_authenticated and user.is_analyst
                    and (user.pk == self.created_by_id or user.is_city_staff))

    @staticmethod
    def can_create(user) -> bool:
        return bool(user and user.is_authenticated and user.is_analyst)


class AnalysisOutput(models.Model):
    """One result of a run: vector rows (`AnalysisCell`) or a GeoTIFF, served as layer `analysis-<id>`."""

    class Kind(models.TextChoices):
        VECTOR = "vector", _("Vector")
        RASTER = "raster", _("Raster")

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="outputs")
    key = models.SlugField(max_length=40)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    title_ko = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    value_label = models.CharField(max_length=120, blank=True, help_text="what `value` means, with its unit")
    geometry_type = models.CharField(max_length=16, default="polygon")
    raster_path = models.CharField(max_length=300, blank=True, help_text="GeoTIFF, relative to MEDIA_ROOT")
    legend = models.JSONField(default=list, blank=True)
    stats = models.JSONField(default=dict, blank=True, help_text="counts, suppressed cells, k")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["analysis_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["analysis", "key"], name="analysisoutput_key_uniq")]

    def __str__(self):
        return f"{self.analysis_id}/{self.key}"

    @property
    def layer_name(self) -> str:
        return f"analysis-{self.pk}"


class AnalysisCell(models.Model):
    """A row of a vector output: a hex cell, district, dong or density class."""

    output = models.ForeignKey(AnalysisOutput, on_delete=models.CASCADE, related_name="cells")
    key = models.CharField(max_length=40)
    label = models.CharField(max_length=120, blank=True)
    count = models.IntegerField(null=True, blank=True, help_text="contributing records; null when suppressed")
    count_before = models.IntegerField(null=True, blank=True, help_text="comparison: records in the first period")
    value = models.FloatField(null=True, blank=True)
    p_value = models.FloatField(null=True, blank=True)
    klass = models.SmallIntegerField(default=0, help_text="legend class (0 = none)")
    suppressed = models.BooleanField(default=False)
    geom = models.GeometryField(srid=4326, spatial_index=False)

    objects = AnalysisCellQuerySet.as_manager()

    class Meta:
        ordering = ["output_id", "key"]
        indexes = [
            models.Index(fields=["output", "key"], name="analysiscell_output_key_idx"),
            GistIndex(fields=["geom"], name="analysiscell_geom_gist"),
        ]
