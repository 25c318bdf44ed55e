"""The real Seoul open-data layers shipped in data/seoul/ (see SOURCES.md there)."""
from pathlib import Path

from django.conf import settings

from .services import dataset_load_geojson

DATA_DIR = Path(settings.BASE_DIR) / "data" / "seoul"
SEOUL_OPEN_DATA = "출처: 서울특별시 서울 열린데이터 광장 (공공누리 제1유형)"

SEOUL_DATASETS = {
    "seoul_public_toilets": dict(
        file="seoul_public_toilets.geojson", title_ko="서울시 공중화장실", title_en="Public toilets in Seoul",
        name_property="건물명", geometry_type="point", license="KOGL Type 1", attribution=SEOUL_OPEN_DATA,
        source="Seoul Open Data Plaza, 서울시 공중화장실 위치정보 (4,585 rows)",
        property_fields={"address": "도로명주소", "district": "구 명칭", "opening_hours": "개방시간",
                         "phone": "전화번호"},
    ),
    "seoul_public_libraries": dict(
        file="seoul_public_libraries.geojson", title_ko="서울시 공공도서관", title_en="Public libraries in Seoul",
        name_property="도서관명", geometry_type="point", license="KOGL Type 1", attribution=SEOUL_OPEN_DATA,
        source="Seoul Open Data Plaza, 서울시 공공도서관 현황정보 (215 rows)",
        property_fields={"address": "주소", "district": "구명", "opening_hours": "운영시간", "phone": "전화번호",
                         "homepage": "홈페이지 URL"},
    ),
    "seoul_subway_stations": dict(
        file="seoul_subway_stations.geojson", title_ko="수도권 지하철역", title_en="Metropolitan rail stations",
        name_property="역사명", geometry_type="point", license="KOGL Type 1", attribution=SEOUL_OPEN_DATA,
        source="Seoul Open Data Plaza OA-21232, 서울시 역사마스터 정보 (909 rows, whole capital area)",
        property_fields={"line": "호선", "station_id": "역사_ID"},
    ),
}


def opendata_load(slug: str, progress=None):
    spec = dict(SEOUL_DATASETS[slug])
    path = DATA_DIR / spec.pop("file")
    return dataset_load_geojson(slug=slug, path=path, progress=progress, **spec)
