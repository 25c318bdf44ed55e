from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex


class DatasetQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Dataset(models.Model):
    """Open data published by the city (public toilets, libraries, stations…), served as layer `dataset-<slug>`."""

    slug = models.SlugField(max_length=60, unique=True, help_text="letters, digits and underscores")
    title_ko = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description_ko = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    source = models.TextField(blank=True, help_text="where the data comes from")
    license = models.CharField(max_length=200, blank=True)
    attribution = models.CharField(max_length=300, blank=True)
    geometry_type = models.CharField(max_length=16, default="point")
    name_property = models.CharField(max_length=80, blank=True, help_text="property shown as the feature's name")
    property_fields = models.JSONField(
        default=dict, blank=True,
        help_text="public attributes of the layer: {attribute name: key in the features' properties}",
    )
    is_published = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.title_en

    @property
    def layer_name(self) -> str:
        return f"dataset-{self.slug}"


class DatasetFeature(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="features")
    name = models.CharField(max_length=300, blank=True)
    properties = models.JSONField(default=dict, blank=True)
    geom = models.GeometryField(srid=4326, spatial_index=False)

    class Meta:
        indexes = [models.Index(fields=["dataset"], name="datasetfeature_dataset_idx")]
        # the GiST index is created with an explicit name in the migration


class LayerVersion(models.Model):
    """How many committed changes a layer has had: part of its tile URLs (see layers/selectors.py).

    Bumped by the invalidation door (layers/services.py) after every commit that changes what a layer
    shows, so a public tile URL names one state of the layer and an edge cache may keep it.
    """

    name = models.CharField(max_length=140, primary_key=True)
    counter = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.name} v{self.counter}"


class TileCluster(models.Model):
    """Pre-aggregated points of a layer (layers/aggregates.py): one row per non-empty grid cell.

    The cells of level L are the XYZ tiles of zoom L, so a tile of zoom z is drawn from the
    32 × 32 cells of level z + 5 whose parent tile (`tx`, `ty`) it is.
    """

    layer = models.CharField(max_length=140)
    level = models.SmallIntegerField()
    x = models.IntegerField()
    y = models.IntegerField()
    tx = models.IntegerField()
    ty = models.IntegerField()
    n = models.IntegerField()
    sum_lon = models.FloatField()
    sum_lat = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["layer", "level", "x", "y"], name="tilecluster_cell")]
        indexes = [models.Index(fields=["layer", "level", "tx", "ty"], name="tilecluster_tile")]


class TileAggregateState(models.Model):
    """The layer version a layer's TileCluster rows were built for; none (or another) = not used."""

    layer = models.CharField(max_length=140, primary_key=True)
    version = models.CharField(max_length=300)
    built_at = models.DateTimeField(auto_now=True)


class TileShape(models.Model):
    """A line or polygon of a layer, generalised once for one zoom below SIMPLIFY_BELOW (layers/aggregates.py).

    `geom` is the feature as ST_AsMVTGeom draws it at that zoom, in the zoom's tile units (the world is
    4096 · 2^zoom units wide, y down, no SRID): simplified by half a pixel, snapped, valid and oriented, so a
    tile only moves it to its corner. NULL when the feature is too small to draw at that zoom: it is then counted
    in the zoom's TileCluster cell at `center`. `props` holds the layer's fields (ST_AsMVT turns a jsonb column
    into properties); `box_area` (m²) orders a tile's shapes, the largest first, as the raw path does.
    """

    layer = models.CharField(max_length=140)
    zoom = models.SmallIntegerField()
    feature_id = models.BigIntegerField()
    box_area = models.FloatField()
    center = models.PointField(srid=4326, spatial_index=False)
    props = models.JSONField(null=True)
    geom = models.GeometryField(srid=0, null=True, spatial_index=False)

    class Meta:
        indexes = [
            GistIndex(fields=["layer", "zoom", "geom"], name="tileshape_zoom_geom"),
            models.Index(fields=["layer", "feature_id"], name="tileshape_feature"),
            # where the features whose old shapes an edit may have moved are found
            GistIndex(fields=["layer", "center"], name="tileshape_center"),
        ]


class BasemapFeature(models.Model):
    """One OpenStreetMap feature of the city's own base map, loaded from an extract (`manage.py load_osm`,
    layers/osm.py): its geometry as GDAL's OSM driver builds it, its class in the Protomaps basemap schema's
    terms (`roads`, `water`, …) and its tags."""

    class Kind(models.TextChoices):
        POINT = "point"
        LINE = "line"
        AREA = "area"

    osm_id = models.BigIntegerField()
    osm_type = models.CharField(max_length=8)  # node, way, relation
    kind = models.CharField(max_length=5, choices=Kind.choices)
    layer = models.CharField(max_length=16)  # roads, transit, water, landuse, buildings, boundaries, places, pois, other
    name = models.CharField(max_length=300, blank=True)
    name_ko = models.CharField(max_length=300, blank=True)
    name_en = models.CharField(max_length=300, blank=True)
    tags = models.JSONField(default=dict)
    # what the base map's tiles say of it (the schema's `kind`, `kind_detail`, `min_zoom`): layers/osm.py
    schema_kind = models.CharField(max_length=32, blank=True)
    kind_detail = models.CharField(max_length=64, blank=True)
    min_zoom = models.SmallIntegerField(default=14)
    geom = models.GeometryField(srid=4326, spatial_index=False)

    class Meta:
        indexes = [GistIndex(fields=["layer", "geom"], name="basemapfeature_layer_geom")]
        constraints = [models.UniqueConstraint(fields=["osm_type", "osm_id", "kind"], name="basemapfeature_osm_unique")]
