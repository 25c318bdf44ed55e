"""Hazard reports routed to district offices, with their categories, districts, timeline and photos.

Privacy rules kept by the models themselves:
- `Report.public_geom` is what the public sees. For a category marked sensitive it is the centre of
  the 200 m cell (Korea 2000 / Unified CS, EPSG:5179) holding the report's point on surface, so an
  exact doorway in a dark alley never reaches a list, a tile, an export or Open311. For other
  categories it is the geometry itself.
- Reporters are never part of a public representation (see serializers and layers).
- `ReportEvent` rows of kind `note` are internal: only the districts' officers and city staff see them.
"""
import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import GEOSGeometry, Point
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .managers import ReportQuerySet
from .workflow import CLOSED_STATUSES, OPEN_STATUSES, TRANSITIONS, Status, overall_status  # noqa: F401

COARSE_GRID_METRES = 200
COARSE_SRID = 5179  # Korea 2000 / Unified CS: metres, the national grid


def coarsened_point(geom: GEOSGeometry, *, cell: int = COARSE_GRID_METRES) -> Point:
    """The centre of the `cell` × `cell` metre square of the national grid holding the geometry's point on surface."""
    point = geom.point_on_surface if geom.geom_type != "Point" else geom.clone()
    point.srid = point.srid or 4326
    metric = point.transform(COARSE_SRID, clone=True)
    snapped = Point((metric.x // cell) * cell + cell / 2, (metric.y // cell) * cell + cell / 2, srid=COARSE_SRID)
    snapped.transform(4326)
    return Point(round(snapped.x, 6), round(snapped.y, 6), srid=4326)


class ReportCategory(models.Model):
    """A kind of hazard; city staff manage the list. `code` is also the Open311 service_code."""

    code = models.SlugField(max_length=40, unique=True)
    name_ko = models.CharField(max_length=80)
    name_en = models.CharField(max_length=120)
    description_ko = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    responsible_body_ko = models.CharField(max_length=120, blank=True, help_text="default responsible body")
    responsible_body_en = models.CharField(max_length=160, blank=True)
    is_sensitive = models.BooleanField(
        default=False, help_text="the public sees the location only to a 200 m cell (e.g. dark alleys)"
    )
    acknowledge_days = models.PositiveSmallIntegerField(default=2, help_text="acknowledge within N working days")
    resolve_days = models.PositiveSmallIntegerField(default=14, help_text="resolve within N working days")
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name_plural = "report categories"

    def __str__(self):
        # One language: the Korean name the city uses (admin, logs); readers get theirs from name_ko/name_en.
        return self.name_ko

    def clean(self):
        if self.resolve_days < self.acknowledge_days:
            raise ValidationError({"resolve_days": _("Resolving cannot be due before acknowledging.")})


class ContactPreference(models.TextChoices):
    EMAIL = "email", _("in the app and by e-mail")
    APP = "app", _("in the app only")


class Report(models.Model):
    category = models.ForeignKey(ReportCategory, on_delete=models.PROTECT, related_name="reports")
    geom = models.GeometryField(srid=4326, spatial_index=False)
    public_geom = models.GeometryField(srid=4326, spatial_index=False, editable=False)
    description = models.TextField(max_length=2000)
    description_public = models.BooleanField(
        default=False, help_text="the reporter chose to publish the description (never for sensitive categories)")
    # The names of the districts the report is routed to, in code order, joined by ", " (None before it is routed):
    # what the `reports` layer shows of a report that is not sensitive (reports/layers.py), kept here by the services
    # that route it (create, transfer) so that a tile reads a column instead of a subquery a report.
    routed_districts_ko = models.TextField(null=True, blank=True, editable=False)
    routed_districts_en = models.TextField(null=True, blank=True, editable=False)
    public_district = models.ForeignKey(
        "districts.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        help_text="sensitive categories: the district of the coarsened location, shown instead of the routing districts")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="reports")
    contact_preference = models.CharField(max_length=8, choices=ContactPreference.choices,
                                          default=ContactPreference.EMAIL)
    channel = models.CharField(max_length=16, default="api", choices=[("api", "API / web"), ("open311", "Open311")])
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.SUBMITTED)
    districts = models.ManyToManyField("districts.District", through="ReportDistrict", related_name="reports")
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="duplicates")
    responsible_body = models.CharField(max_length=200, blank=True,
                                        help_text="who is responsible, when not a district office")
    is_hidden = models.BooleanField(default=False)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="Open311 token")
    created_at = models.DateTimeField(auto_now_add=True)
    created_on = models.DateField(editable=False, help_text="local (Seoul) date: what the public sees")
    updated_at = models.DateTimeField(auto_now=True)
    acknowledge_due = models.DateField(editable=False)
    resolve_due = models.DateField(editable=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            GistIndex(fields=["geom"], name="report_geom_gist"),
            GistIndex(fields=["public_geom"], name="report_public_geom_gist"),
            models.Index(fields=["status", "created_on"], name="report_status_created_idx"),
            models.Index(fields=["created_at"], name="report_created_at_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.category.code}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def coarsen(self) -> None:
        """Set what the public sees of the location (see the module docstring).

        For a sensitive category the public also sees one district: the one holding the coarsened point
        (or the nearest), never the routing districts, which would tell on which side of a boundary the
        exact place lies. Its description is never public.
        """
        from districts.models import District

        if not self.category.is_sensitive:
            self.public_geom, self.public_district = self.geom, None
            return
        self.public_geom = coarsened_point(self.geom)
        self.public_district = (District.objects.filter(geom__intersects=self.public_geom).order_by("code").first()
                                or District.objects.annotate(d=Distance("geom", self.public_geom)).order_by("d").first())
        self.description_public = False

    @property
    def is_coarsened(self) -> bool:
        return self.category.is_sensitive

    def shows_description(self, user) -> bool:
        """The description is public only if the reporter chose so (never for sensitive categories)."""
        return self.can_view_full(user) or (self.description_public and not self.category.is_sensitive)

    def public_districts(self, user=None) -> list[dict]:
        """Districts as `user` may see them: the routing ones with their answers, or for a coarsened report
        seen by the public, the coarse location's district with the report's status and latest answer."""
        rows = list(self.report_districts.all())
        if not self.category.is_sensitive or self.can_view_full(user):
            return [{"district": rd.district, "status": rd.status, "answer": rd.answer, "row": rd} for rd in rows]
        answered = [rd for rd in sorted(rows, key=lambda rd: rd.updated_at) if rd.answer]
        return [{"district": self.public_district, "status": self.status,
                 "answer": answered[-1].answer if answered else "", "row": None}] if self.public_district else []

    # --- permission rules: one place, many doors ---------------------------------------------
    def is_reporter(self, user) -> bool:
        return bool(user and user.is_authenticated and self.reporter_id == user.pk)

    def answering_codes(self, user) -> set[str]:
        """Codes of this report's districts that the user answers for."""
        if not (user and user.is_authenticated):
            return set()
        mine = getattr(user, "_moderation_district_codes", None)
        if mine is None:  # asked once per request user, not once per report in a list
            mine = user._moderation_district_codes = frozenset(user.officer_district_codes())
        return {rd.district.code for rd in self.report_districts.all() if rd.district.code in mine}

    def can_view(self, user) -> bool:
        """Public fields: anyone, unless hidden by moderation (then only those involved)."""
        return not self.is_hidden or self.can_view_full(user)

    def can_view_full(self, user) -> bool:
        """Exact location, photos of sensitive reports and the whole timeline: the reporter, its officers, staff."""
        if not (user and user.is_authenticated):
            return False
        return self.is_reporter(user) or user.is_city_staff or bool(self.answering_codes(user))

    def can_see_internal(self, user) -> bool:
        """Internal notes: the officers of its districts and city staff, never the reporter as such."""
        if not (user and user.is_authenticated):
            return False
        return user.is_city_staff or bool(self.answering_codes(user))

    def can_answer(self, user) -> bool:
        return bool(self.answering_codes(user))

    def can_add_photo(self, user) -> bool:
        return self.is_reporter(user) and self.is_open


class ReportDistrict(models.Model):
    """A district responsible for a report, with its own status and public answer."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="report_districts")
    district = models.ForeignKey("districts.District", on_delete=models.PROTECT, related_name="report_links")
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.SUBMITTED)
    answer = models.TextField(blank=True, help_text="the latest public message of this district")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["district__code"]
        constraints = [models.UniqueConstraint(fields=["report", "district"], name="reportdistrict_unique")]
        indexes = [
            models.Index(fields=["district", "status"], name="reportdistrict_queue_idx"),
            # An officer's queue, oldest first (by report id): one district's rows in report order, so a page of
            # `limit` reports reads about `limit` rows however long the backlog. The review page asks for the open
            # statuses; other filters walk all the district's rows
            models.Index(fields=["district", "report"], condition=models.Q(status__in=OPEN_STATUSES),
                         name="reportdistrict_open_idx"),
            models.Index(fields=["district", "report"], name="reportdistrict_district_idx"),
        ]

    def can_transition(self, to: str) -> bool:
        return to in TRANSITIONS.get(self.status, frozenset())


class ReportEvent(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created"
        STATUS = "status"
        TRANSFER = "transfer"
        NOTE = "note"  # internal: never public

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    district = models.ForeignKey("districts.District", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", help_text="the district acting (or transferring away)")
    to_district = models.ForeignKey("districts.District", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", help_text="transfers: the district receiving")
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32, blank=True)
    message = models.TextField(blank=True, help_text="public message, or the internal note for kind=note")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["report", "created_at"], name="reportevent_report_idx")]

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.NOTE


class ReportPhoto(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="reports/%Y/%m/", width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to="reports/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Open311Key(models.Model):
    """A key for Open311 clients (`api_key`): it opens only /open311/v2/, unlike the account's API token.

    Only a SHA-256 hash is stored; the key itself is shown once, when it is issued. It is sent in the
    request body or the `X-Api-Key` header, never in a URL (URLs end up in access logs).
    """

    PREFIX = "o311_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="open311_keys")
    label = models.CharField(max_length=80, blank=True)
    hint = models.CharField(max_length=12, help_text="the key's first characters, to tell keys apart")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.hint}… ({self.user})"

    @staticmethod
    def hash(key: str) -> str:
        import hashlib

        return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()
