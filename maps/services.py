"""Writes on maps: keyword-only, validated with full_clean(), in transactions; tile-cache work after commit."""
import json
import time

from django.conf import settings
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.permissions import require_not_banned, user_or_none
from geoplatform.bounded import BoundedWorkDied, BoundExceeded, run_bounded
from geoplatform.errors import field_error
from geoplatform.geojson import feature as geojson_feature
from geoplatform.geometry import geometry_check
from geoplatform.images import image_sanitise
from geoplatform.text import markdown_to_safe_html, plain_text, text_check_storable
from layers.services import layer_version_bump, tile_cache_invalidate

from .models import (PROPERTIES_MAX_BYTES, CollaboratorRole, ContributionMode, EventAudience, Feature, FeatureAction,
                     FeaturePhoto, FeatureStatus, FeatureVersion, Map, MapCollaborator, MapEvent, MapTemplate, Visibility,
                     _new_key)
from .readers import (DESCRIPTION_KEYS, NAME_KEYS, ImportSource, ParsedFeature, import_format, import_read,
                      import_receive, reader_fail, reader_reason)

PHOTOS_PER_FEATURE = 10
EVENT_LOG_KEEP = getattr(settings, "MAPS_EVENT_LOG_KEEP", 2000)
IMPORT_SYNC_LIMIT = getattr(settings, "MAPS_IMPORT_SYNC_LIMIT", 2000)  # more features than this run as a background job
IMPORT_MAX_FEATURES = getattr(settings, "MAPS_IMPORT_MAX_FEATURES", 100_000)
IMPORT_REJECTED_REPORTED = 500
# Every import is bounded in time: in the request (a few thousand features) and in the background job.
IMPORT_TIME_LIMIT_SYNC = getattr(settings, "MAPS_IMPORT_TIME_LIMIT_SYNC", 30)
IMPORT_TIME_LIMIT_JOB = getattr(settings, "MAPS_IMPORT_TIME_LIMIT_JOB", 30 * 60)


class FeatureConflict(Exception):
    """A write based on a version that is no longer current and that does not merge; carries the current
    feature and, per field both sides changed, the base value, theirs (current) and mine."""

    def __init__(self, feature: Feature, fields: list[dict] | None = None):
        super().__init__(f"feature {feature.pk} is at version {feature.version}")
        self.feature = feature
        self.fields = fields or []


def _deny(message):
    raise PermissionDenied(message)


def geometry_2d(geom: GEOSGeometry) -> GEOSGeometry:
    """Drop Z/M values (GPX elevations, 3D GeoJSON): features are stored in 2D."""
    if geom.hasz:
        ogr = geom.ogr
        ogr.set_3d(False)
        geom = ogr.geos
        geom.srid = 4326
    return geom


def feature_snapshot(feature: Feature) -> dict:
    """The feature as a GeoJSON Feature, for history."""
    return {
        "type": "Feature",
        "id": feature.pk,
        "geometry": json.loads(feature.geom.geojson) if feature.geom is not None else None,
        "properties": {
            "name": feature.name, "description": feature.description, "category": feature.category,
            "properties": feature.properties, "status": feature.status, "version": feature.version,
        },
    }


def _record(*, feature: Feature, action: str, actor, before: dict | None, after: dict | None) -> FeatureVersion:
    return FeatureVersion.objects.create(map_id=feature.map_id, feature_id=feature.pk, version=feature.version,
                                         action=action, actor=user_or_none(actor), before=before, after=after)


# --- the live event log (one path: writer's transaction → MapEvent → after commit → channel layer) ---------
def map_event_emit(*, map_id: int, type: str, payload: dict, audience: str = EventAudience.EVERYONE,
                   author_id: int | None = None) -> int:
    """Inside the writer's transaction: the map's next revision, logged; broadcast once it commits.

    The row lock taken by the UPDATE makes revisions commit in order, without gaps.
    """
    from live.services import map_broadcast

    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Map._meta.db_table} SET revision = revision + 1 WHERE id = %s RETURNING revision",
                       [map_id])
        row = cursor.fetchone()
    if row is None:
        return 0
    revision = row[0]
    message = {"type": type, "map": map_id, "revision": revision, **payload}
    MapEvent.objects.create(map_id=map_id, revision=revision, type=type, audience=audience,
                            author_id_seen=author_id, payload=message)
    if revision % 100 == 0:
        MapEvent.objects.filter(map_id=map_id, revision__lte=revision - EVENT_LOG_KEEP).delete()
    transaction.on_commit(lambda: map_broadcast(map_id=map_id, revision=revision, audience=audience,
                                                author_id=author_id, message=message))
    return revision


def feature_public(feature: Feature) -> dict:
    """The feature as the REST API shows it (GeoJSON, public shape)."""
    from .serializers import FeatureOutputSerializer

    return json.loads(json.dumps(FeatureOutputSerializer(feature, context={}).data, default=str))


def _feature_event(feature: Feature, type: str, actor, *, deleted_id: int | None = None) -> None:
    if deleted_id is not None:
        data = geojson_feature(None, {"version": feature.version}, id=deleted_id)
    else:
        data = feature.public_shape = feature_public(feature)
    pending = feature.status != FeatureStatus.PUBLISHED or feature.is_hidden
    map_event_emit(map_id=feature.map_id, type=type,
                   payload={"feature": data, "id": deleted_id or feature.pk, "version": feature.version,
                            "author": actor.public_name if user_or_none(actor) else "",
                            "author_official": bool(user_or_none(actor) and actor.is_official)},
                   audience=EventAudience.MODERATORS if pending else EventAudience.EVERYONE,
                   author_id=feature.author_id)


def _map_changed(map_obj: Map, actor, *, access: bool) -> None:
    """Settings changed: a `map.updated` event; when who may see or edit changed, every socket re-checks."""
    from live.services import map_access_changed

    map_event_emit(map_id=map_obj.pk, type="map.updated",
                   payload={"title": map_obj.title, "visibility": map_obj.visibility,
                            "contribution_mode": map_obj.contribution_mode, "categories": map_obj.categories,
                            "suggested_fields": map_obj.suggested_fields,
                            "author": actor.public_name if user_or_none(actor) else "",
                            "author_official": bool(user_or_none(actor) and actor.is_official)})
    if access:
        transaction.on_commit(lambda: map_access_changed(map_id=map_obj.pk))


# --- maps -------------------------------------------------------------------------------------
@transaction.atomic
def map_create(*, owner, title: str, description: str = "", theme: str | None = None,
               visibility: str = Visibility.PUBLIC, contribution_mode: str = ContributionMode.OWNER,
               license: str = "CC-BY-4.0", template: MapTemplate | None = None, categories: list | None = None,
               suggested_fields: list | None = None, center: GEOSGeometry | None = None, zoom: int = 12) -> Map:
    """A new map, optionally starting from a template (its theme, categories and fields are copied)."""
    require_not_banned(owner)
    map_obj = Map(
        owner=owner, title=plain_text(title), description=description or "",
        description_html=markdown_to_safe_html(description or ""),
        theme=theme or (template.theme if template else "other"), visibility=visibility,
        contribution_mode=contribution_mode, license=license, template=template,
        categories=categories if categories is not None else (list(template.categories) if template else []),
        suggested_fields=suggested_fields if suggested_fields is not None else (
            list(template.suggested_fields) if template else []),
        center=center, zoom=zoom,
    )
    if not map_obj.title:
        raise ValidationError({"title": _("A map needs a title.")})
    map_obj.full_clean()
    map_obj.save()
    return map_obj


MAP_EDITABLE = ("title", "description", "theme", "visibility", "contribution_mode", "license", "categories",
                "suggested_fields", "center", "zoom")


@transaction.atomic
def map_update(*, map_obj: Map, actor, **changes) -> Map:
    """Change the map's settings (its owner); `map_obj` comes from `map_access(..., lock=True)`."""
    if not map_obj.can_manage(actor):
        _deny(_("Only the map's owner can change its settings."))
    style_changed = False
    for key, value in changes.items():
        if key not in MAP_EDITABLE:
            raise field_error(key, _("This field cannot be changed."))
        if key == "title":
            value = plain_text(value)
            if not value:
                raise ValidationError({"title": _("A map needs a title.")})
        if key == "description":
            map_obj.description_html = markdown_to_safe_html(value or "")
        style_changed |= key in ("categories", "visibility", "contribution_mode")
        setattr(map_obj, key, value)
    map_obj.full_clean()
    # only what changed: `revision` belongs to the event log (map_event_emit), whatever this instance holds
    map_obj.save(update_fields=[*changes, *(["description_html"] if "description" in changes else []), "updated_at"])
    if style_changed:
        layer_version_bump(layer_name=map_obj.layer_name)
    _map_changed(map_obj, actor, access=bool({"visibility", "contribution_mode"} & set(changes)))
    return map_obj


@transaction.atomic
def map_delete(*, map_obj: Map, actor) -> None:
    if not map_obj.can_manage(actor):
        _deny(_("Only the map's owner can delete it."))
    from live.services import map_access_changed

    layer_name, map_id = map_obj.layer_name, map_obj.pk
    photos = list(FeaturePhoto.objects.filter(feature__map=map_obj))
    map_obj.delete()
    transaction.on_commit(lambda: map_access_changed(map_id=map_id))
    layer_version_bump(layer_name=layer_name)
    transaction.on_commit(lambda: [_photo_files_delete(p) for p in photos])


def _secret_link_set(*, map_obj: Map, actor, kind: str, value: str) -> Map:
    """`map_obj` comes from `map_access(need="manage", lock=True)`: its owner's, locked."""
    if kind not in ("view", "edit"):
        raise ValidationError({"kind": _("kind must be view or edit.")})
    with transaction.atomic():
        setattr(map_obj, f"{kind}_key", value)
        map_obj.save(update_fields=[f"{kind}_key", "updated_at"])
        layer_version_bump(layer_name=map_obj.layer_name)
        from live.services import map_access_changed

        transaction.on_commit(lambda: map_access_changed(map_id=map_obj.pk))
    return map_obj


def secret_link_rotate(*, map_obj: Map, actor, kind: str) -> Map:
    """A fresh view or edit key; the old one stops working at once."""
    return _secret_link_set(map_obj=map_obj, actor=actor, kind=kind, value=_new_key())


def secret_link_revoke(*, map_obj: Map, actor, kind: str) -> Map:
    """Switch a secret link off (an empty key matches nothing)."""
    return _secret_link_set(map_obj=map_obj, actor=actor, kind=kind, value="")


# --- collaborators -------------------------------------------------------------------------------
@transaction.atomic
def collaborator_set(*, map_obj: Map, actor, user, role: str) -> MapCollaborator:
    """Invite someone or change their role; `map_obj` comes from `map_access(need="manage")`."""
    if role not in CollaboratorRole.values:
        raise ValidationError({"role": _("role must be editor or viewer.")})
    if user.pk == map_obj.owner_id:
        raise ValidationError({"user": _("The owner is already on the map.")})
    if not user.is_active:
        raise ValidationError({"user": _("This account is not active.")})
    collaborator, _created = MapCollaborator.objects.update_or_create(
        map=map_obj, user=user, defaults={"role": role, "invited_by": actor})
    collaborator.full_clean()
    layer_version_bump(layer_name=map_obj.layer_name)
    from live.services import map_access_changed

    transaction.on_commit(lambda: map_access_changed(map_id=map_obj.pk))
    return collaborator


@transaction.atomic
def collaborator_remove(*, map_obj: Map, actor, user) -> None:
    """Take someone off the map; `map_obj` comes from `map_access(need="manage")`."""
    deleted, _by_model = MapCollaborator.objects.filter(map=map_obj, user=user).delete()
    if not deleted:
        raise ValidationError({"user": _("This person is not a collaborator.")})
    layer_version_bump(layer_name=map_obj.layer_name)
    from live.services import map_access_changed

    transaction.on_commit(lambda: map_access_changed(map_id=map_obj.pk))


# --- features -------------------------------------------------------------------------------------
def _feature_fill(feature: Feature, *, geom=None, name=None, description=None, category=None, properties=None):
    if geom is not None:
        feature.geom = geometry_2d(geometry_check(geom))
    if name is not None:
        feature.name = plain_text(name)[:200]
    if description is not None:
        feature.description = description
        feature.description_html = markdown_to_safe_html(description)
    if category is not None:
        feature.category = category
    if properties is not None:
        feature.properties = properties


@transaction.atomic
def feature_create(*, map_obj: Map, actor, geom: GEOSGeometry, secret: str = "", name: str = "",
                   description: str = "", category: str = "", properties: dict | None = None) -> Feature:
    """Add a feature: published for contributors, pending for suggesters, refused otherwise."""
    require_not_banned(actor)
    if map_obj.can_contribute(actor, secret):
        status, action = FeatureStatus.PUBLISHED, FeatureAction.CREATE
    elif map_obj.can_suggest(actor, secret):
        status, action = FeatureStatus.PENDING, FeatureAction.SUGGEST
    else:
        _deny(_("You cannot add features to this map."))
    feature = Feature(map=map_obj, author=user_or_none(actor), status=status)
    _feature_fill(feature, geom=geom, name=name, description=description, category=category,
                  properties=properties or {})
    feature.full_clean()
    feature.save()
    _record(feature=feature, action=action, actor=actor, before=None, after=feature_snapshot(feature))
    if status == FeatureStatus.PUBLISHED:
        tile_cache_invalidate(layer_name=map_obj.layer_name, geometries=[feature.geom])
    _feature_event(feature, "feature.created", actor)
    return feature


MERGE_FIELDS = ("geometry", "name", "description", "category")


def _same(a, b) -> bool:
    return json.dumps(a, sort_keys=True, ensure_ascii=False) == json.dumps(b, sort_keys=True, ensure_ascii=False)


def feature_merge(*, base: dict, current: dict, mine: dict) -> tuple[dict, list[dict]]:
    """Three-way merge of one feature, field by field and property by property.

    `base` is the snapshot the writer started from, `current` the stored one, `mine` the fields sent
    (geometry as GeoJSON; `properties` as the whole object). A field or property key the writer did not
    change (mine == base) keeps the current value; one only the writer changed is taken; one both changed
    to different values is a conflict. Returns (the changes to apply, the conflicts).
    """
    changes, conflicts = {}, []
    for field in MERGE_FIELDS:
        if field not in mine:
            continue
        b, c, m = base.get(field), current.get(field), mine[field]
        if _same(m, b) or _same(m, c):
            continue
        if _same(c, b):
            changes[field] = m
        else:
            conflicts.append({"field": field, "base": b, "theirs": c, "mine": m})
    if "properties" in mine:
        b, c, m = base.get("properties") or {}, current.get("properties") or {}, mine["properties"] or {}
        merged, touched = dict(c), False
        for key in sorted(set(b) | set(c) | set(m)):
            bv, cv, mv = b.get(key), c.get(key), m.get(key)
            if _same(mv, bv) or _same(mv, cv):
                continue
            if _same(cv, bv):
                touched = True
                if key in m:
                    merged[key] = mv
                else:
                    merged.pop(key, None)
            else:
                conflicts.append({"field": f"properties.{key}", "base": bv, "theirs": cv, "mine": mv})
        if touched:
            changes["properties"] = merged
    return changes, conflicts


def _merge_state(feature: Feature) -> dict:
    p = feature_snapshot(feature)
    return {"geometry": p["geometry"], **{k: p["properties"][k] for k in ("name", "description", "category",
                                                                           "properties")}}


def _base_state(feature: Feature, version: int) -> dict | None:
    step = (FeatureVersion.objects.filter(map_id=feature.map_id, feature_id=feature.pk, version=version)
            .exclude(after=None).order_by("-pk").first())
    if step is None:
        return None
    p = step.after
    return {"geometry": p["geometry"], **{k: p["properties"].get(k) for k in ("name", "description", "category",
                                                                                "properties")}}


@transaction.atomic
def feature_update(*, feature: Feature, actor, expected_version: int, secret: str = "",
                   geom: GEOSGeometry | None = None, name: str | None = None, description: str | None = None,
                   category: str | None = None, properties: dict | None = None) -> Feature:
    """Change a feature based on `expected_version`.

    If others saved since, the change is merged (feature_merge): different fields or property keys both
    survive; the same one changed to different values raises FeatureConflict with both values (nothing is
    stored, nothing is lost: the writer chooses and sends again based on the current version).
    `feature` comes from `maps.selectors.feature_access(..., lock=True)`.
    """
    map_obj = feature.map
    if not feature.can_change(actor, secret):
        _deny(_("You cannot edit this feature."))
    if feature.version != expected_version:
        base = _base_state(feature, expected_version) if 0 < expected_version < feature.version else None
        if base is None:
            raise FeatureConflict(feature)
        mine = {k: v for k, v in {"name": name, "description": description, "category": category,
                                  "properties": properties}.items() if v is not None}
        if geom is not None:
            mine["geometry"] = json.loads(geometry_2d(geometry_check(geom)).geojson)
        changes, conflicts = feature_merge(base=base, current=_merge_state(feature), mine=mine)
        if conflicts:
            raise FeatureConflict(feature, conflicts)
        geom = GEOSGeometry(json.dumps(changes["geometry"]), srid=4326) if "geometry" in changes else None
        name, description = changes.get("name"), changes.get("description")
        category, properties = changes.get("category"), changes.get("properties")
        if not changes:
            return feature
    before, old_geom = feature_snapshot(feature), feature.geom
    _feature_fill(feature, geom=geom, name=name, description=description, category=category, properties=properties)
    feature.version += 1
    feature.full_clean()
    feature.save()
    _record(feature=feature, action=FeatureAction.UPDATE, actor=actor, before=before, after=feature_snapshot(feature))
    if feature.status == FeatureStatus.PUBLISHED:
        tile_cache_invalidate(layer_name=map_obj.layer_name, geometries=[old_geom, feature.geom])
    _feature_event(feature, "feature.updated", actor)
    return feature


@transaction.atomic
def feature_delete(*, feature: Feature, actor, secret: str = "", expected_version: int | None = None) -> None:
    """Delete a feature (`feature_access(..., lock=True)`), refused when it changed since `expected_version`."""
    map_obj = feature.map
    if not feature.can_change(actor, secret):
        _deny(_("You cannot delete this feature."))
    if expected_version is not None and feature.version != expected_version:
        raise FeatureConflict(feature)
    before = feature_snapshot(feature)
    photos = list(feature.photos.all())
    feature.version += 1
    _record(feature=feature, action=FeatureAction.DELETE, actor=actor, before=before, after=None)
    geom, was_published = feature.geom, feature.status == FeatureStatus.PUBLISHED
    _feature_event(feature, "feature.deleted", actor, deleted_id=feature.pk)
    feature.delete()
    if was_published:
        tile_cache_invalidate(layer_name=map_obj.layer_name, geometries=[geom])
    transaction.on_commit(lambda: [_photo_files_delete(p) for p in photos])


@transaction.atomic
def feature_review(*, feature: Feature, actor, decision: str, note: str = "", secret: str = "") -> Feature:
    """Approve (publish) or reject a pending suggestion (`feature_access(..., lock=True)`)."""
    map_obj = feature.map
    if not map_obj.can_moderate(actor, secret):
        _deny(_("Only the map's owner and editors can review suggestions."))
    if decision not in ("approve", "reject"):
        raise ValidationError({"decision": _("decision must be approve or reject.")})
    if feature.status != FeatureStatus.PENDING:
        raise ValidationError({"status": (_("This feature is %(status)s, not pending.") % {"status": feature.status})})
    before = feature_snapshot(feature)
    feature.status = FeatureStatus.PUBLISHED if decision == "approve" else FeatureStatus.REJECTED
    feature.review_note = plain_text(note)[:500]
    feature.version += 1
    feature.full_clean()
    feature.save()
    action = FeatureAction.APPROVE if decision == "approve" else FeatureAction.REJECT
    _record(feature=feature, action=action, actor=actor, before=before, after=feature_snapshot(feature))
    if feature.status == FeatureStatus.PUBLISHED:
        tile_cache_invalidate(layer_name=map_obj.layer_name, geometries=[feature.geom])
    _feature_event(feature, "feature.updated", actor)
    return feature


@transaction.atomic
def feature_revert(*, map_obj: Map, feature_id: int, actor, to_version: int, secret: str = "") -> Feature:
    """Bring a feature back to how it was after `to_version`, as a new version (a deleted one is restored, which is
    why this takes the map and the feature's id). `map_obj` comes from `map_access(need="edit")`."""
    target = (FeatureVersion.objects.filter(map=map_obj, feature_id=feature_id, version=to_version)
              .exclude(after=None).order_by("-pk").first())
    if target is None:
        raise ValidationError({"version": (_("Feature %(feature_id)s has no version %(to_version)s to return to.") % {"feature_id": feature_id, "to_version": to_version})})
    state = target.after
    geom = GEOSGeometry(json.dumps(state["geometry"]), srid=4326)
    props = state["properties"]
    feature = Feature.objects.select_for_update().filter(pk=feature_id, map=map_obj).first()
    if feature is None:
        last = FeatureVersion.objects.filter(map=map_obj, feature_id=feature_id).aggregate(v=Max("version"))["v"] or 0
        feature = Feature(pk=feature_id, map=map_obj, author=user_or_none(actor), version=last,
                          status=FeatureStatus.PUBLISHED)
        before, old_geom = None, None
    else:
        feature.map = map_obj
        before, old_geom = feature_snapshot(feature), feature.geom
    _feature_fill(feature, geom=geom, name=props["name"], description=props["description"],
                  category=props["category"], properties=props["properties"])
    if feature.status == FeatureStatus.REJECTED or props["status"] == FeatureStatus.PUBLISHED:
        feature.status = props["status"]
    feature.version += 1
    feature.full_clean(validate_unique=False)
    feature.save()
    _record(feature=feature, action=FeatureAction.REVERT, actor=actor, before=before, after=feature_snapshot(feature))
    tile_cache_invalidate(layer_name=map_obj.layer_name, geometries=[old_geom, feature.geom])
    _feature_event(feature, "feature.created" if before is None else "feature.updated", actor)
    return feature


@transaction.atomic
def feature_moderated_event(*, feature: Feature) -> None:
    """Moderation hid or restored a feature (moderation.services.content_hidden_set → maps/flaggable.py):
    every open map drops it (`feature.deleted`, `hidden: true`, no content) or shows it again
    (`feature.created`), after commit, through the map's event log. The moderator is not named."""
    if feature.is_hidden:
        map_event_emit(map_id=feature.map_id, type="feature.deleted",
                       payload={"feature": geojson_feature(None, {"version": feature.version}, id=feature.pk),
                                "id": feature.pk, "version": feature.version, "author": "", "hidden": True},
                       audience=EventAudience.EVERYONE, author_id=feature.author_id)
    else:
        _feature_event(feature, "feature.created", None)


@transaction.atomic
def feature_photos_event(*, feature: Feature, actor=None) -> None:
    """A photo was added, removed, hidden or restored: the feature as it now shows (`feature.updated`)."""
    feature = Feature.objects.select_related("author").prefetch_related("photos").get(pk=feature.pk)
    _feature_event(feature, "feature.updated", actor)


# --- photos -----------------------------------------------------------------------------------------
def _photo_files_delete(photo: FeaturePhoto) -> None:
    for field in (photo.image, photo.thumbnail):
        if field and field.name:
            field.storage.delete(field.name)


@transaction.atomic
def photo_add(*, feature: Feature, actor, upload, secret: str = "", caption: str = "") -> FeaturePhoto:
    """Attach a photo: checked by content, re-encoded without EXIF (GPS), thumbnail made."""
    require_not_banned(actor)
    if not feature.can_change(actor, secret):
        _deny(_("You cannot add photos to this feature."))
    def full():
        return ValidationError({"image": (_("A feature can have at most %(PHOTOS_PER_FEATURE)s photos.")
                                          % {"PHOTOS_PER_FEATURE": PHOTOS_PER_FEATURE})})

    if feature.photos.count() >= PHOTOS_PER_FEATURE:
        raise full()
    clean = image_sanitise(upload)  # slow (decode, re-encode): before the lock, so uploads wait only for the count
    # Parallel uploads: the feature row is the lock, so the count and the insert are one step per feature.
    Feature.objects.select_for_update().only("pk").get(pk=feature.pk)
    if FeaturePhoto.objects.filter(feature_id=feature.pk).count() >= PHOTOS_PER_FEATURE:
        raise full()
    photo = FeaturePhoto(feature=feature, uploaded_by=user_or_none(actor), caption=plain_text(caption)[:300],
                         content_type=clean.content_type)
    photo.image.save(clean.image.name, clean.image, save=False)
    photo.thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
    try:
        photo.full_clean()
        photo.save()
    except Exception:
        _photo_files_delete(photo)
        raise
    feature_photos_event(feature=feature, actor=actor)
    return photo


@transaction.atomic
def photo_delete(*, photo: FeaturePhoto, actor, secret: str = "") -> None:
    feature = photo.feature
    is_uploader = bool(actor and actor.is_authenticated and actor.pk == photo.uploaded_by_id)
    if not (feature.map.can_edit(actor, secret) or is_uploader):
        _deny(_("You cannot delete this photo."))
    photo.delete()
    transaction.on_commit(lambda: _photo_files_delete(photo))
    feature_photos_event(feature=feature, actor=actor)


# --- templates ----------------------------------------------------------------------------------------
TEMPLATE_EDITABLE = ("slug", "theme", "title_ko", "title_en", "description_ko", "description_en", "categories",
                     "suggested_fields", "is_active")


@transaction.atomic
def template_save(*, actor, template: MapTemplate | None = None, **values) -> MapTemplate:
    """Create or change a template (city staff only)."""
    if not MapTemplate.can_change(actor):
        _deny(_("Only city staff can edit templates."))
    template = template or MapTemplate(created_by=actor)
    for key, value in values.items():
        if key not in TEMPLATE_EDITABLE:
            raise field_error(key, _("This field cannot be changed."))
        if key in ("title_ko", "title_en"):
            value = plain_text(value)
        setattr(template, key, value)
    template.full_clean()
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise ValidationError({"slug": _("A template with this slug exists.")})
    return template


# --- accounts ---------------------------------------------------------------------------------------------
def account_scrub(*, user) -> None:
    """A deleted account: contributions stay, attributed to nobody; collaborations end."""
    Feature.objects.filter(author=user).update(author=None)
    FeaturePhoto.objects.filter(uploaded_by=user).update(uploaded_by=None)
    FeatureVersion.objects.filter(actor=user).update(actor=None)
    MapCollaborator.objects.filter(user=user).delete()


# --- import -------------------------------------------------------------------------------------------
def map_import(*, map_obj: Map, actor, upload, fmt: str = "", srid: int | None = None, secret: str = ""):
    """Import a file into a map. Small files: the result at once. Large ones: a Job run in the background.

    Returns ("done", result) or ("job", job).
    """
    from jobs.services import job_create

    from .tasks import map_import_task

    require_not_banned(actor)
    if not map_obj.can_edit(actor, secret):
        _deny(_("Only the map's owner and editors can import files."))
    source = import_receive(upload=upload, fmt=import_format(upload.name, fmt), srid=srid)
    try:
        # counted, and read when small, in a child process that is killed at the request's bound
        total, parsed = _import_read_bounded(source, read_up_to=IMPORT_SYNC_LIMIT, seconds=IMPORT_TIME_LIMIT_SYNC)
        if parsed is not None:
            result = map_import_run(map_obj=map_obj, actor=actor, source=source, parsed=(total, parsed),
                                    time_limit=IMPORT_TIME_LIMIT_SYNC)
            source.cleanup()
            return "done", result
    except BaseException:
        source.cleanup()
        raise
    job = job_create(kind="map_import", created_by=user_or_none(actor), total=total,
                     message=(_("Importing %(total)s features into map %(pk)s.") % {"pk": map_obj.pk, "total": total}))
    map_import_task.enqueue(job_id=str(job.pk), map_id=map_obj.pk, user_id=getattr(user_or_none(actor), "pk", None),
                            path=str(source.path), directory=str(source.directory), fmt=source.fmt, srid=srid)
    job.refresh_from_db()
    return "job", job


def _import_properties(props: dict, categories: set[str]) -> tuple[str, str, str, dict]:
    text_check_storable(props)
    props = {str(k)[:80]: v for k, v in props.items() if v not in (None, "")}
    lowered = {k.lower(): k for k in props}
    name_key = next((lowered[k] for k in NAME_KEYS if k in lowered and isinstance(props[lowered[k]], (str, int))), None)
    name = str(props.pop(name_key)) if name_key else ""
    description_key = next((lowered[k] for k in DESCRIPTION_KEYS if k in lowered), None)
    description = str(props.pop(description_key)) if description_key else ""
    category = ""
    if isinstance(props.get("category"), str) and props["category"] in categories:
        category = props.pop("category")
    clean = {k: (plain_text(v) if isinstance(v, str) and ("<" in v or "&" in v) else v) for k, v in props.items()}
    if len(json.dumps(clean, ensure_ascii=False).encode()) > PROPERTIES_MAX_BYTES:
        raise ValidationError((_("Properties exceed %(PROPERTIES_MAX_BYTES)s bytes.") % {"PROPERTIES_MAX_BYTES": PROPERTIES_MAX_BYTES}))
    return plain_text(name)[:200], description[:10_000], category, clean


def _import_accept(parsed: ParsedFeature, accepted: list, rejected: list, *, map_obj, actor, categories) -> int:
    """Turn a parsed feature into an unsaved Feature, or note why not; 1 when it was rejected."""
    if not parsed.error:
        try:
            name, description, category, props = _import_properties(parsed.properties, categories)
            accepted.append(Feature(map=map_obj, geom=parsed.geom, name=name, description=description,
                                    description_html=markdown_to_safe_html(description) if description else "",
                                    category=category, properties=props,
                                    author=actor if actor and actor.is_authenticated else None,
                                    status=FeatureStatus.PUBLISHED))
            return 0
        except ValidationError as exc:
            parsed.error = reader_reason(exc)
    if len(rejected) < IMPORT_REJECTED_REPORTED:
        rejected.append({"index": parsed.index, "reason": parsed.error})
    return 1


def _import_timeout(seconds: float) -> ValidationError:
    return ValidationError(_("The import took longer than %(seconds)d seconds and was stopped; split the "
                             "file or simplify its geometries.") % {"seconds": seconds}, code="import_timeout")


def import_parse(source: ImportSource, *, read_up_to: int | None = None):
    """The file's feature count, its features parsed and transformed (None when it has more than
    `read_up_to`), and the readers' notes (e.g. swapped columns).

    Runs in a child process (`_import_read_bounded`): it touches no database."""
    total, rows, handle = import_read(source)
    if read_up_to is not None and total > read_up_to:
        return total, None, source.notes
    if total == 0:
        reader_fail(_("The file has no features."))
    if total > IMPORT_MAX_FEATURES:
        reader_fail(_("The file has %(n)d features; at most %(max)d can be imported at once.")
                    % {"n": total, "max": IMPORT_MAX_FEATURES})
    try:
        parsed = list(rows)
    except (GDALException, OSError, UnicodeDecodeError) as exc:
        reader_fail(_("The file is damaged and could not be read to the end (%(reason)s).") % {"reason": str(exc)[:120]})
    del handle
    return total, parsed, source.notes


def _import_read_bounded(source: ImportSource, *, read_up_to: int | None, seconds: float):
    """`import_parse` under a hard wall-clock bound: GDAL, PROJ or a parser stuck on a hostile file is killed
    with its process after `seconds` (geoplatform.bounded), and the import fails with the time-out reason."""
    try:
        total, parsed, notes = run_bounded(import_parse, source, read_up_to=read_up_to, seconds=max(0.0, seconds))
    except BoundExceeded:
        raise _import_timeout(seconds)
    except BoundedWorkDied:
        raise ValidationError(_("The file could not be read: the reader stopped unexpectedly. Check the file, "
                                "or split it."), code="invalid_file")
    source.notes[:] = notes  # what the readers noticed in the child
    return total, parsed


def map_import_run(*, map_obj: Map, actor, source: ImportSource, reporter=None, time_limit: float | None = None,
                   job=None, parsed: tuple[int, list[ParsedFeature]] | None = None) -> dict:
    """Write every valid feature in one transaction; report each rejected one with its reason.

    The file is read (unless `parsed` holds what `import_parse` made of it) in a child process killed once
    `time_limit` seconds have passed, whatever it is stuck in; the rest is checked between features.
    With a `job`, the job is the import's idempotency key: its row is locked and finished in the same
    transaction as the features, so a run retried after its worker died imports nothing twice.
    """
    from jobs.services import job_finish, job_lock_unfinished
    started = time.monotonic()
    time_limit = IMPORT_TIME_LIMIT_SYNC if time_limit is None else time_limit
    if parsed is None:
        parsed = _import_read_bounded(source, read_up_to=None, seconds=time_limit)
    total, rows = parsed
    categories = map_obj.category_keys()
    accepted, rejected, rejected_count = [], [], 0
    for done, row in enumerate(rows, 1):
        if time.monotonic() - started > time_limit:
            raise _import_timeout(time_limit)
        rejected_count += _import_accept(row, accepted, rejected, map_obj=map_obj, actor=actor, categories=categories)
        if reporter:
            reporter(done)
    with transaction.atomic():
        if job is not None and not job_lock_unfinished(job=job):
            return job.result  # an earlier run of this job committed already
        created = Feature.objects.bulk_create(accepted, batch_size=1000)
        FeatureVersion.objects.bulk_create(
            [FeatureVersion(map=map_obj, feature_id=f.pk, version=1, action=FeatureAction.IMPORT,
                            actor=f.author, before=None, after=feature_snapshot(f)) for f in created],
            batch_size=1000)
        if created:
            extents = [f.geom.extent for f in created]
            box = Polygon.from_bbox((min(e[0] for e in extents), min(e[1] for e in extents),
                                     max(e[2] for e in extents), max(e[3] for e in extents)))
            box.srid = 4326
            tile_cache_invalidate(layer_name=map_obj.layer_name, geometries=[box])
            map_event_emit(map_id=map_obj.pk, type="features.imported",
                           payload={"count": len(created), "author": actor.public_name if user_or_none(actor) else "",
                            "author_official": bool(user_or_none(actor) and actor.is_official)})
        result = {"format": source.fmt, "total": total, "imported": len(created), "rejected_count": rejected_count,
                  "rejected": rejected, "notes": source.notes}
        if job is not None:
            job_finish(job=job, result=result)
    return result
