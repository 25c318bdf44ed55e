"""Demo hazard reports for `make run`: categories in Korean and English, reports at real Seoul places.

Places are real: subway station points from the Seoul station master list (data/seoul/) and the real
Gangnam/Seocho border taken from the district polygons. Reports are marked "[예시]" (written in Korean, as Seoul citizens and officers write them). Idempotent:
categories are matched by code, reports by their description.
"""
import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction

from .models import ContactPreference, Report, ReportCategory
from .services import category_create, report_create, report_status_change

STATIONS = Path(settings.BASE_DIR) / "data" / "seoul" / "seoul_subway_stations.geojson"

# code, name_ko, name_en, body_ko, body_en, sensitive, acknowledge days, resolve days
CATEGORIES = [
    ("road_damage", "도로 파손", "Damaged road", "도로관리과", "Road Management Division", False, 2, 10),
    ("sidewalk_damage", "보도 파손", "Damaged sidewalk", "도로관리과", "Road Management Division", False, 2, 10),
    # Sensitive: a report of a dark alley says where someone walks alone at night.
    ("dark_alley", "어두운 골목", "Dark alley", "안전총괄과", "Safety Division", True, 2, 20),
    ("illegal_parking", "불법 주정차", "Illegal parking", "주차관리과", "Parking Management Division", False, 1, 3),
    ("flooding", "침수", "Flooding", "치수과", "Flood Control Division", False, 1, 5),
    ("dangerous_crossing", "위험한 횡단보도", "Dangerous crossing", "교통행정과", "Traffic Administration Division",
     False, 3, 30),
    ("illegal_dumping", "쓰레기 무단 투기", "Illegal dumping", "청소행정과", "Sanitation Division", False, 2, 7),
]


@lru_cache(maxsize=1)
def _stations() -> dict[str, str]:
    features = json.loads(STATIONS.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["역사_ID"]: json.dumps(f["geometry"]) for f in features}


def station_point(station_id: str) -> GEOSGeometry:
    """A real station point (Seoul Open Data Plaza OA-21232) by its 역사_ID."""
    if station_id not in _stations():
        raise LookupError(f"station {station_id} is not in {STATIONS.name}")
    return GEOSGeometry(_stations()[station_id], srid=4326)


def shared_border(code_a: str, code_b: str, start: float = 0.3, end: float = 0.7) -> GEOSGeometry:
    """A stretch (by fraction) of the longest shared border of two districts, from their real polygons."""
    with connection.cursor() as cur:
        cur.execute(
            """WITH border AS (
                 SELECT (ST_Dump(ST_LineMerge(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 2)))).geom AS line
                 FROM districts_district a, districts_district b WHERE a.code = %s AND b.code = %s),
               longest AS (SELECT line FROM border ORDER BY ST_Length(line) DESC LIMIT 1)
               SELECT ST_AsText(ST_LineSubstring(line, %s, %s)) FROM longest""",
            [code_a, code_b, start, end],
        )
        row = cur.fetchone()
    if row is None:
        raise LookupError(f"districts {code_a} and {code_b} share no border")
    return GEOSGeometry(row[0], srid=4326)


def _reports(users):
    """(reporter, category, place, description, [(officer, status, message), ...])."""
    gangnam, mapo = users["officer-gangnam"], users["officer-mapo"]
    return [
        (users["citizen"], "road_damage", station_point("220"),
         "[예시] 선릉역 1번 출구 앞 차도에 포트홀이 생겼습니다.",
         [(gangnam, "acknowledged", "접수했습니다. 현장을 확인하겠습니다."),
          (gangnam, "in_progress", "보수 공사를 발주했습니다."),
          (gangnam, "resolved", "포트홀 보수를 마쳤습니다. 감사합니다.")]),
        (users["citizen2"], "illegal_parking", station_point("219"),
         "[예시] 삼성역 버스정류장 앞 상습 불법 주차.",
         [(gangnam, "acknowledged", "단속반에 전달했습니다.")]),
        (users["citizen"], "flooding", station_point("2622"),
         "[예시] 망원역 2번 출구 앞 비가 오면 물이 고입니다.",
         [(mapo, "acknowledged", "확인했습니다."),
          (mapo, "in_progress", "빗물받이 준설 예정입니다.")]),
        (users["citizen2"], "dark_alley", station_point("238"),
         "[예시] 합정역 뒤 골목 가로등이 꺼져 있습니다.",
         []),
        (users["citizen"], "dangerous_crossing", shared_border("11680", "11650"),
         "[예시] 강남구와 서초구 경계 도로의 횡단보도 신호가 너무 짧습니다.",
         [(gangnam, "acknowledged", "서초구와 함께 검토하겠습니다.")]),
        (users["citizen2"], "sidewalk_damage", station_point("201"),
         "[예시] 시청역 앞 보도블록이 들떠 있습니다.",
         []),
        (users["citizen"], "illegal_dumping", station_point("214"),
         "[예시] 강변역 고가 아래 쓰레기 무단 투기.",
         []),
    ]


def categories_load() -> dict[str, ReportCategory]:
    """The demo's categories by code, created when missing (also the benchmark's: bench/reportsbench.py)."""
    categories = {}
    for position, (code, ko, en, body_ko, body_en, sensitive, ack, resolve) in enumerate(CATEGORIES):
        categories[code] = ReportCategory.objects.filter(code=code).first() or category_create(
            code=code, name_ko=ko, name_en=en, responsible_body_ko=body_ko, responsible_body_en=body_en,
            is_sensitive=sensitive, acknowledge_days=ack, resolve_days=resolve, position=position)
    return categories


def load_demo(stdout) -> None:
    categories = categories_load()
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["citizen", "citizen2", "officer-gangnam", "officer-mapo"])}
    if len(users) < 4:
        stdout.write("hazard reports: demo users missing, only categories loaded")
        return
    made = 0
    for reporter, code, geom, description, steps in _reports(users):
        if Report.objects.filter(description=description).exists():
            continue
        with transaction.atomic():
            report = report_create(reporter=reporter, category=categories[code], geom=geom, description=description,
                                   contact_preference=ContactPreference.APP, description_public=True)
            for officer, status, message in steps:
                report_status_change(report=report, actor=officer, status=status, message=message)
        made += 1
    stdout.write(f"hazard reports: {len(categories)} categories, {made} new sample reports "
                 f"({Report.objects.filter(description__startswith='[예시]').count()} in all)")
