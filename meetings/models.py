"""Committee meetings in the open: committees, members, meetings, documents and their disclosure.

Disclosure follows 공공기관의 정보공개에 관한 법률 (Official Information Disclosure Act): each
meeting and each document is disclosed, partially disclosed or not disclosed, with the legal
reason for any withholding (a list city staff manage) and a guide to request disclosure.
Minutes show only when the meeting is not undisclosed and their publication date has come.
"""
import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db.models.functions import Upper
from django.utils import timezone

from .managers import CommitteeQuerySet, MeetingQuerySet
from django.utils.translation import gettext_lazy as _

REQUEST_GUIDE_URL = "https://www.open.go.kr/"
REQUEST_GUIDE_KO = ("비공개 또는 부분공개된 정보는 정보공개포털(open.go.kr)에서 정보공개를 청구할 수 있습니다. "
                    "청구 후 10일 이내에 공개 여부가 결정되며, 결정에 이의가 있으면 30일 이내에 이의신청할 수 있습니다.")
REQUEST_GUIDE_EN = ("You can request withheld information through the Open Government portal (open.go.kr). "
                    "A decision is made within 10 days; you may object to it within 30 days.")


def trigram_index(field: str, name: str) -> GinIndex:
    """A GIN trigram index on UPPER(field): it serves `icontains` (Korean has no case, English does)."""
    return GinIndex(OpClass(Upper(field), name="gin_trgm_ops"), name=name)


class Disclosure(models.TextChoices):
    DISCLOSED = "disclosed", _("Disclosed")
    PARTIALLY_DISCLOSED = "partially_disclosed", _("Partially disclosed")
    NOT_DISCLOSED = "not_disclosed", _("Not disclosed")


class DisclosureReason(models.Model):
    """A legal ground for withholding, e.g. 공공기관의 정보공개에 관한 법률 제9조 제1항 제5호."""

    code = models.SlugField(max_length=40, unique=True)
    title_ko = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    legal_basis = models.CharField(max_length=300, help_text="law and article")
    description_ko = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.legal_basis} — {self.title_ko}"


class Committee(models.Model):
    name_ko = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    department_ko = models.CharField(max_length=200)
    department_en = models.CharField(max_length=200, blank=True)
    purpose_ko = models.TextField(blank=True)
    purpose_en = models.TextField(blank=True)
    legal_basis = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        ordering = ["name_ko"]
        indexes = [
            trigram_index("name_ko", "committee_name_ko_trgm"),
            trigram_index("name_en", "committee_name_en_trgm"),
            models.Index(fields=["department_ko"], name="committee_department_idx"),
        ]

    def __str__(self):
        return self.name_ko


class CommitteeMember(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=100)
    role_ko = models.CharField(max_length=60, help_text="위원장, 부위원장, 위원, 간사…")
    role_en = models.CharField(max_length=60, blank=True)
    affiliation = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["committee", "order", "name"]

    def __str__(self):
        return f"{self.name} ({self.role_ko})"


def _withheld_needs_reason(instance) -> None:
    if instance.disclosure != Disclosure.DISCLOSED and instance.disclosure_reason_id is None:
        raise ValidationError({"disclosure_reason": _("Give the legal reason for withholding.")})
    if instance.disclosure == Disclosure.DISCLOSED and instance.disclosure_reason_id is not None:
        raise ValidationError({"disclosure_reason": _("A disclosed item has no withholding reason.")})


class Meeting(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    title_ko = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    place_name = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    location = models.PointField(srid=4326, null=True, blank=True, spatial_index=False)
    online_url = models.URLField(blank=True, help_text="link of an online meeting")
    agenda = models.TextField(blank=True)
    minutes = models.TextField(blank=True, help_text="Markdown; the disclosed text (redacted when partially disclosed)")
    attendance = models.TextField(blank=True, help_text="who attended")
    attendance_present = models.PositiveSmallIntegerField(null=True, blank=True)
    attendance_total = models.PositiveSmallIntegerField(null=True, blank=True)
    decisions = models.TextField(blank=True)
    minutes_publish_at = models.DateTimeField(null=True, blank=True,
                                              help_text="minutes show only from this moment (empty: at once)")
    disclosure = models.CharField(max_length=20, choices=Disclosure.choices, default=Disclosure.DISCLOSED)
    disclosure_reason = models.ForeignKey(DisclosureReason, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    disclosure_note = models.TextField(blank=True, help_text="what is withheld and why, in plain words")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            trigram_index("title_ko", "meeting_title_ko_trgm"),
            trigram_index("agenda", "meeting_agenda_trgm"),
            trigram_index("minutes", "meeting_minutes_trgm"),
            models.Index(fields=["starts_at"], name="meeting_starts_at_idx"),
            models.Index(fields=["disclosure"], name="meeting_disclosure_idx"),
            GistIndex(fields=["location"], name="meeting_location_gist"),
        ]

    def __str__(self):
        return self.title_ko

    def clean(self):
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
        if not (self.location or self.address or self.online_url):
            raise ValidationError(_("Give a place (address and point) or an online link."))
        if (self.attendance_present is not None and self.attendance_total is not None
                and self.attendance_present > self.attendance_total):
            raise ValidationError({"attendance_present": _("More present than members.")})
        _withheld_needs_reason(self)

    # --- rules on what the public sees -------------------------------------------------
    @property
    def is_upcoming(self) -> bool:
        return self.starts_at > timezone.now()

    @property
    def minutes_scheduled(self) -> bool:
        return self.minutes_publish_at is not None and self.minutes_publish_at > timezone.now()

    @property
    def minutes_visible(self) -> bool:
        """Minutes (and decisions) show unless the meeting is undisclosed or their date has not come."""
        return self.disclosure != Disclosure.NOT_DISCLOSED and not self.minutes_scheduled

    @property
    def is_withheld(self) -> bool:
        return self.disclosure != Disclosure.DISCLOSED


DOCUMENT_EXTENSIONS = ["pdf", "hwp", "hwpx", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "csv",
                       "txt", "zip", "png", "jpg", "jpeg"]
DOCUMENT_MAX_BYTES = 30 * 1024 * 1024


def document_size_check(upload) -> None:
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(_("The file is larger than 30 MB."))


def document_path(instance, filename: str) -> str:
    """Unguessable names: a withheld document's file must not be reachable by its URL."""
    extension = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"meetings/{uuid.uuid4().hex}.{extension}"


class MeetingDocument(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=300)
    file = models.FileField(upload_to=document_path, max_length=200, validators=[
        FileExtensionValidator(DOCUMENT_EXTENSIONS, message=_("Use a document file (PDF, HWP, Office, CSV, TXT, ZIP, image).")),
        document_size_check])
    disclosure = models.CharField(max_length=20, choices=Disclosure.choices, default=Disclosure.DISCLOSED)
    disclosure_reason = models.ForeignKey(DisclosureReason, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    disclosure_note = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "title"]

    def __str__(self):
        return self.title

    def clean(self):
        _withheld_needs_reason(self)

    @property
    def file_visible(self) -> bool:
        return self.disclosure != Disclosure.NOT_DISCLOSED and self.meeting.disclosure != Disclosure.NOT_DISCLOSED
