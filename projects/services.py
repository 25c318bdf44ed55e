"""Writes: projects, their timeline of public updates (with photos), follows and the notices to followers.

Keyword-only arguments, `full_clean()` before saving, one transaction each; the tile cache is
invalidated after commit. Errors are `ValidationError`s (400 in the API) whose messages go
through gettext; `PermissionDenied` is 403.
"""
from __future__ import annotations

import datetime

from django.contrib.gis.geos import GEOSGeometry, MultiLineString, MultiPoint, MultiPolygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from districts.models import District
from geoplatform.geometry import geometry_check
from geoplatform.images import image_sanitise
from geoplatform.messages import localised, stored
from geoplatform.errors import field_error
from geoplatform.text import text_clean
from layers.services import tile_cache_invalidate
from audit.services import audit_record
from notifications.services import notification_create

from . import messages
from .models import Project, ProjectFollow, ProjectStatus, ProjectUpdate, ProjectUpdatePhoto

LAYER = "projects"
MAX_PHOTOS = 6
MAX_BUDGET = 10**15  # won: a thousand trillion is more than any city budget
MULTI = {"Point": MultiPoint, "LineString": MultiLineString, "Polygon": MultiPolygon}
EDITABLE = ("title_ko", "title_en", "description_ko", "description_en", "department_ko", "department_en",
            "budget_planned", "budget_spent", "starts_on", "ends_on", "status", "cancel_reason", "progress")


def geometry_normalise(geom: GEOSGeometry, *, field: str = "geometry") -> GEOSGeometry:
    """One kind of location, as a multi-part geometry: points, lines or areas (several parts allowed).

    A mix of kinds (a GeometryCollection) is refused: a project's location is drawn, exported and
    styled as one kind, and a project with a road and a park is two projects or one area.
    """
    try:
        geometry_check(geom)
    except ValidationError as exc:
        raise field_error(field, exc.messages)
    if geom.geom_type in MULTI:
        geom = MULTI[geom.geom_type](geom, srid=4326)
    elif geom.geom_type not in ("MultiPoint", "MultiLineString", "MultiPolygon"):
        raise field_error(field, _("Give points, lines or areas (one kind per project), not %(kind)s.")
                     % {"kind": geom.geom_type})
    geom.srid = 4326
    return geom


def districts_from_codes(codes, *, field: str = "districts") -> list[District]:
    codes = list(dict.fromkeys(str(c).strip() for c in (codes or []) if str(c).strip()))
    found = {d.code: d for d in District.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise field_error(field, _("Unknown district code: %(codes)s.") % {"codes": ", ".join(missing[:5])})
    return [found[c] for c in codes]


def districts_covering(geom: GEOSGeometry) -> list[District]:
    """The districts a location touches (when staff do not name them)."""
    return list(District.objects.filter(geom__intersects=geom).order_by("code"))


def _check_numbers(project: Project) -> None:
    for field in ("budget_planned", "budget_spent"):
        value = getattr(project, field)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_BUDGET:
            raise field_error(field, _("Give an amount in won between 0 and 10^15."))
    if not isinstance(project.progress, int) or not 0 <= project.progress <= 100:
        raise field_error("progress", _("Progress is a whole per cent from 0 to 100."))
    if project.starts_on and project.ends_on and project.ends_on < project.starts_on:
        raise field_error("ends_on", _("A project ends on or after the day it starts."))
    if project.status == ProjectStatus.CANCELLED and not project.cancel_reason:
        raise field_error("cancel_reason", _("Say why the project was cancelled."), "required")
    if project.status != ProjectStatus.CANCELLED:
        project.cancel_reason = ""
    if project.status == ProjectStatus.DONE:
        project.progress = 100


def _links(project: Project, *, proposal_ids=None, meeting_ids=None, report_ids=None) -> None:
    from campaigns.models import Proposal
    from meetings.models import Meeting
    from reports.models import Report

    # Only what the public may see can be cited: a hidden proposal or report is "no such item".
    for field, ids, queryset in (("proposals", proposal_ids, Proposal.objects.filter(is_hidden=False)),
                                 ("meetings", meeting_ids, Meeting.objects.all()),
                                 ("reports", report_ids, Report.objects.public())):
        if ids is None:
            continue
        ids = list(dict.fromkeys(ids))
        found = set(queryset.filter(pk__in=ids).values_list("pk", flat=True))
        missing = [i for i in ids if i not in found]
        if missing:
            raise field_error(field, _("No such item: %(ids)s.") % {"ids": ", ".join(map(str, missing[:5]))})
        getattr(project, field).set(ids)


def _snapshot(project: Project) -> dict:
    return {f: (str(getattr(project, f)) if isinstance(getattr(project, f), datetime.date) else getattr(project, f))
            for f in EDITABLE}


@transaction.atomic
def project_create(*, actor, title_ko: str, department_ko: str, geom: GEOSGeometry, title_en: str = "",
                   description_ko: str = "", description_en: str = "", department_en: str = "",
                   district_codes: list[str] | None = None, budget_planned: int = 0, budget_spent: int = 0,
                   starts_on: datetime.date | None = None, ends_on: datetime.date | None = None,
                   status: str = ProjectStatus.PLANNED, cancel_reason: str = "", progress: int = 0,
                   proposal_ids: list[int] | None = None, meeting_ids: list[int] | None = None,
                   report_ids: list[int] | None = None) -> Project:
    if status not in ProjectStatus.values:
        raise field_error("status", _("Choose planned, in_progress, done or cancelled."))
    geom = geometry_normalise(geom)
    districts = districts_from_codes(district_codes) if district_codes else districts_covering(geom)
    project = Project(
        title_ko=text_clean("title_ko", title_ko, max_length=200, required=True),
        title_en=text_clean("title_en", title_en, max_length=200),
        description_ko=text_clean("description_ko", description_ko, max_length=8000),
        description_en=text_clean("description_en", description_en, max_length=8000),
        department_ko=text_clean("department_ko", department_ko, max_length=120, required=True),
        department_en=text_clean("department_en", department_en, max_length=120),
        geom=geom, budget_planned=budget_planned, budget_spent=budget_spent, starts_on=starts_on, ends_on=ends_on,
        status=status, cancel_reason=text_clean("cancel_reason", cancel_reason, max_length=2000), progress=progress,
        created_by=actor)
    _check_numbers(project)
    project.full_clean()
    project.save()
    project.districts.set(districts)
    _links(project, proposal_ids=proposal_ids, meeting_ids=meeting_ids, report_ids=report_ids)
    audit_record(actor=actor, action="project.create", target=project, before=None, after=_snapshot(project))
    tile_cache_invalidate(layer_name=LAYER, geometries=[geom])
    return project


@transaction.atomic
def project_change(*, actor, project: Project, changes: dict, geom: GEOSGeometry | None = None,
                   district_codes: list[str] | None = None, proposal_ids: list[int] | None = None,
                   meeting_ids: list[int] | None = None, report_ids: list[int] | None = None) -> Project:
    """Change some fields of a project (PATCH). `project` comes from `project_access(..., lock=True)`; the view lets only city staff call it."""
    before = _snapshot(project)
    old_geom = project.geom
    text_limits = {"title_ko": 200, "title_en": 200, "description_ko": 8000, "description_en": 8000,
                   "department_ko": 120, "department_en": 120, "cancel_reason": 2000}
    for field, value in changes.items():
        if field not in EDITABLE:
            raise field_error(field, _("This field cannot be changed."))
        if field in text_limits:
            value = text_clean(field, value, max_length=text_limits[field], required=field in ("title_ko", "department_ko"))
        if field == "status" and value not in ProjectStatus.values:
            raise field_error("status", _("Choose planned, in_progress, done or cancelled."))
        setattr(project, field, value)
    if geom is not None:
        project.geom = geometry_normalise(geom)
    _check_numbers(project)
    project.full_clean()
    project.save()
    if district_codes is not None:  # none named: the districts the location touches, as on creation
        project.districts.set(districts_from_codes(district_codes) if district_codes else districts_covering(project.geom))
    _links(project, proposal_ids=proposal_ids, meeting_ids=meeting_ids, report_ids=report_ids)
    audit_record(actor=actor, action="project.change", target=project, before=before, after=_snapshot(project))
    new_geom = project.geom
    tile_cache_invalidate(layer_name=LAYER, geometries=[old_geom, new_geom])
    return project


def _notify_followers(project: Project, update: ProjectUpdate) -> int:
    """Each follower hears of the update in their own language (stored as a message, rendered when read)."""
    from django.contrib.auth import get_user_model

    follower_ids = ProjectFollow.objects.filter(project=project).values_list("user_id", flat=True)
    sent = 0
    for user in get_user_model().objects.filter(pk__in=follower_ids, is_active=True):
        notification_create(
            user=user, kind="project_update",
            title=stored(messages.UPDATE_TITLE, title=localised(ko=project.title_ko, en=project.title_en)),
            body=stored(messages.UPDATE_BODY, date=f"{update.date:%Y-%m-%d}",
                        text=localised(ko=update.text_ko, en=update.text_en), url=f"/projects/{project.pk}/"))
        sent += 1
    return sent


@transaction.atomic
def update_post(*, actor, project: Project, date: datetime.date, text_ko: str, text_en: str = "",
                status: str = "", progress: int | None = None, photos=()) -> ProjectUpdate:
    """Add a dated public update to the timeline; it may move the status and progress. Followers are told."""
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise field_error("photos", _("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS})
    cleaned = []
    for upload in photos:
        try:
            cleaned.append(image_sanitise(upload))
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages})
    if status and status not in ProjectStatus.values:
        raise field_error("status", _("Choose planned, in_progress, done or cancelled."))
    if progress is not None and (isinstance(progress, bool) or not 0 <= int(progress) <= 100):
        raise field_error("progress", _("Progress is a whole per cent from 0 to 100."))
    update = ProjectUpdate(project=project, date=date, author=actor, status=status or "", progress=progress,
                           text_ko=text_clean("text_ko", text_ko, max_length=4000, required=True),
                           text_en=text_clean("text_en", text_en, max_length=4000))
    update.full_clean()
    update.save()
    for clean in cleaned:
        photo = ProjectUpdatePhoto(update=update, width=clean.width, height=clean.height)
        photo.image.save(clean.image.name, clean.image, save=False)
        photo.thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
        photo.save()
    changes = {}
    if status and status != project.status:
        changes["status"] = status
        if status == ProjectStatus.CANCELLED:
            changes["cancel_reason"] = update.text_ko
    if progress is not None and progress != project.progress:
        changes["progress"] = int(progress)
    if changes:
        project_change(actor=actor, project=project, changes=changes)
    else:
        project.save(update_fields=["updated_at"])
    _notify_followers(project, update)
    audit_record(actor=actor, action="project.update", target=project, before=None,
                 after={"update": update.pk, "date": str(date), **changes})
    return update


@transaction.atomic
def project_follow(*, project: Project, user) -> bool:
    """Follow a project; False when this person already did."""
    if not user or not user.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    try:
        with transaction.atomic():
            ProjectFollow.objects.create(project=project, user=user)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def project_unfollow(*, project: Project, user) -> None:
    ProjectFollow.objects.filter(project=project, user=user).delete()


class ImportRefused(ValidationError):
    """No row of the file could be imported: nothing was stored. Carries the per-row errors."""

    def __init__(self, errors: list[dict]):
        super().__init__(_("No row of the file could be imported."), code="import_refused")
        self.rows = errors


def projects_import(*, actor, upload, dry_run: bool = False) -> dict:
    """Create one project per good row of a CSV/XLSX file; bad rows come back with their errors.

    Each row is stored on its own (a savepoint), so a row the database refuses never leaves half a
    project. A file without a single good row is refused (400) and stores nothing. `dry_run`
    checks every row and stores nothing.
    """
    from .imports import parse_rows, read_table

    _source, table = read_table(upload)
    parsed, errors = parse_rows(table)
    created = []
    with transaction.atomic():
        for row in parsed:
            try:
                with transaction.atomic():
                    project = project_create(actor=actor, geom=row.geom, district_codes=row.district_codes,
                                             **row.values)
                    created.append(project.pk)
            except ValidationError as exc:
                messages = exc.message_dict if hasattr(exc, "error_dict") else {"row": exc.messages}
                errors.append({"row": row.row, "errors": messages})
        if not created and errors:
            raise ImportRefused(sorted(errors, key=lambda e: e["row"]))
        if dry_run:
            transaction.set_rollback(True)
    return {"created": [] if dry_run else created, "checked": len(created), "errors": sorted(errors, key=lambda e: e["row"]),
            "rows": len(table) - 1}


@transaction.atomic
def proposal_decide(*, actor, proposal, outcome: str, feedback: str, merged_into_id: int | None = None,
                    project_id: int | None = None, new_project: dict | None = None):
    """Publish a proposal's evaluated outcome; an accepted one becomes a new project or joins one.

    One transaction: the project, the link and the outcome are stored together or not at all. `proposal`
    comes from `campaigns.selectors.proposal_access(..., lock=True)`. Returns (proposal, project or None).
    """
    from campaigns.services import evaluation_decide

    project = None
    if outcome == "accepted":
        if project_id is not None:
            project = Project.objects.select_for_update().filter(pk=project_id).first()
            if project is None:
                raise field_error("project", _("No such project."))
        elif new_project:
            fields = dict(new_project)
            if fields.get("geom") is None:
                place = proposal.place
                if place is None:
                    raise field_error("new_project", _("Give the new project a location (the proposal has no place)."))
                fields["geom"] = place
            project = project_create(actor=actor, **fields)
        else:
            raise field_error("project", _("An accepted proposal becomes a new project or joins one: "
                                      "give new_project or project."))
        project.proposals.add(proposal)
    proposal = evaluation_decide(proposal=proposal, actor=actor, outcome=outcome, feedback=feedback,
                                 merged_into_id=merged_into_id, link=f"/projects/{project.pk}/" if project else "")
    return proposal, project
