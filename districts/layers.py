from django.db.models import F

from django.utils.translation import gettext_lazy as _

from layers.registry import Layer, registry

from .models import District, Dong

ATTRIBUTION = "출처: 통계청 통계지리정보서비스(SGIS), 공공누리 제1유형; 코드 매칭: vuski/admdongkor (CC BY 4.0)"


def _districts(viewer):
    return District.objects.annotate(district_code=F("code"))


def _dongs(viewer):
    return Dong.objects.annotate(district_code=F("district__code"), district_name_ko=F("district__name_ko"))


registry.register(
    Layer(
        name="districts",
        title_ko="서울 자치구",
        title_en="Seoul districts (gu)",
        geometry_type="polygon",
        fields=("code", "name_ko", "name_en", "population", "households"),
        id_field="code",
        attribution=ATTRIBUTION,
        queryset_factory=_districts,
        static_queryset=True,
        style={"color": "#3d5a80", "fill_opacity": 0.05},
        legend=[{"label": _("District boundary"), "color": "#3d5a80"}],
    )
)
registry.register(
    Layer(
        name="dongs",
        title_ko="서울 행정동",
        title_en="Seoul administrative dongs",
        geometry_type="polygon",
        fields=("code", "name_ko", "name_en", "district_code", "district_name_ko", "population", "households"),
        id_field="code",
        minzoom=9,
        attribution=ATTRIBUTION,
        queryset_factory=_dongs,
        static_queryset=True,
        style={"color": "#98c1d9", "fill_opacity": 0.05},
        legend=[{"label": _("Dong boundary"), "color": "#98c1d9"}],
    )
)
