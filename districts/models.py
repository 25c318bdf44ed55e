from django.contrib.gis.db import models
from django.contrib.gis.geos import GEOSGeometry, Point


class AreaQuerySet(models.QuerySet):
    """Districts and dongs alike: the areas at a point or touching a geometry."""

    def covering_point(self, lon: float, lat: float):
        """Areas whose closed boundary holds the point: a point on a shared border belongs to both."""
        return self.filter(geom__intersects=Point(lon, lat, srid=4326))

    def intersecting(self, geometry: GEOSGeometry):
        return self.filter(geom__intersects=geometry)


class District(models.Model):
    """One of Seoul's 25 autonomous districts (gu).

    `code` is the MOIS sigungu code that gu offices and addresses use (11680 for
    Gangnam-gu); `kostat_code` is the census code of Statistics Korea (11230 for
    Gangnam-gu). The two lists overlap numerically, so only `code` is ever used
    to identify a district.
    """

    code = models.CharField("MOIS sigungu code", max_length=5, unique=True)
    kostat_code = models.CharField("KOSTAT census code", max_length=5, unique=True)
    name_ko = models.CharField(max_length=40)
    name_en = models.CharField(max_length=60)
    population = models.PositiveIntegerField(null=True, blank=True)
    households = models.PositiveIntegerField(null=True, blank=True)
    population_date = models.DateField(null=True, blank=True)
    geom = models.MultiPolygonField(srid=4326)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["name_ko"], name="district_name_ko_idx")]

    def __str__(self):
        # The gu's official (Korean) name: what the admin, logs and exports name it. Readers get their own
        # language through `name_ko`/`name_en` (the `loc` filter, serializers), never through str().
        return self.name_ko


class Dong(models.Model):
    """An administrative dong (행정동), nested in a district."""

    code = models.CharField("MOIS adm_cd2", max_length=10, unique=True)
    kostat_code = models.CharField("KOSTAT census code", max_length=7, unique=True)
    name_ko = models.CharField(max_length=40)
    name_en = models.CharField(max_length=80)
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="dongs")
    population = models.PositiveIntegerField(null=True, blank=True)
    households = models.PositiveIntegerField(null=True, blank=True)
    geom = models.MultiPolygonField(srid=4326)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.district.name_ko} {self.name_ko}"
