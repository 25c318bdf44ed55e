"""Demo maps over real Seoul data (data/seoul/), owned by the demo citizens; running it twice changes nothing.

- an accessibility map of Mapo-gu's public toilets that have an accessible toilet (Seoul toilet data);
- a neighbourhood map of Jongno-gu's public libraries (Seoul library data), moderated;
- a safety map along Teheran-ro: the street between Gangnam, Yeoksam and Seolleung stations, the
  boundary of Yeoksam 1-dong, and the toilets there that have an emergency bell.
Every map says in its description that it is sample data.
"""
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry, LineString, Point
from django.db import transaction

from geoplatform.demo import SAMPLE_MARK

from .models import Feature, Map, MapTemplate
from .services import feature_create, map_create

DATA = Path(settings.BASE_DIR) / "data" / "seoul"
SAMPLE = "\n\n*데모용 예시 지도입니다.* 출처: 서울 열린데이터 광장 (공공누리 제1유형)."


def _features(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))["features"]


def _point(feature):
    return Point(*feature["geometry"]["coordinates"], srid=4326)


def _station(features, name, line="2호선"):
    return next(f for f in features if f["properties"]["역사명"] == name and f["properties"]["호선"] == line)


def _new_map(owner, title, template_slug, **kwargs):
    """The demo map with this title, or None when it exists already (idempotence)."""
    if Map.objects.filter(owner=owner, title=title).exists():
        return None
    template = MapTemplate.objects.filter(slug=template_slug).first()
    return map_create(owner=owner, title=title, template=template, **kwargs)


def _add_points(m, owner, rows, *, name: str, category: str, fields: dict) -> int:
    """One feature per real point, its name and a few source columns (renamed to English keys) kept."""
    for f in rows:
        p = f["properties"]
        feature_create(map_obj=m, actor=owner, geom=_point(f), name=p[name] or "", category=category,
                       properties={key: p[column] for key, column in fields.items() if p.get(column)})
    return len(rows)


def _accessible_toilets(owner):
    m = _new_map(owner, "마포구 장애인 화장실 지도", "accessibility", contribution_mode="open",
                 description="마포구의 공중화장실 가운데 장애인 화장실이 있는 곳입니다. 다녀온 곳의 상태를 알려 주세요." + SAMPLE,
                 center=Point(126.9227, 37.5557, srid=4326), zoom=13)
    if m is None:
        return 0
    rows = [f for f in _features("seoul_public_toilets.geojson")
            if f["properties"]["구 명칭"] == "마포구" and f["properties"]["장애인화장실 현황"]
            and "삭제" not in (f["properties"]["건물명"] or "")]
    return _add_points(m, owner, rows, name="건물명", category="accessible_toilet",
                       fields={"address": "도로명주소", "opening_hours": "개방시간", "accessible_toilets": "장애인화장실 현황"})


def _jongno_libraries(owner):
    m = _new_map(owner, "종로 동네 도서관 지도", "neighbourhood", contribution_mode="moderated",
                 description="종로구의 공공도서관과 작은 도서관입니다. 빠진 곳을 제안해 주시면 확인 후 올립니다." + SAMPLE,
                 center=Point(126.9895, 37.5826, srid=4326), zoom=13)
    if m is None:
        return 0
    rows = [f for f in _features("seoul_public_libraries.geojson") if f["properties"]["구명"] == "종로구"]
    return _add_points(m, owner, rows, name="도서관명", category="library",
                       fields={"address": "주소", "opening_hours": "운영시간", "closed": "정기 휴관일"})


def _teheran_ro_safety(owner):
    m = _new_map(owner, "테헤란로 밤길 안전 지도", "safety", contribution_mode="open",
                 description="강남역–역삼역–선릉역 사이 테헤란로와 역삼1동 골목의 밤길 안전 지도입니다." + SAMPLE,
                 center=Point(127.0384, 37.5009, srid=4326), zoom=15)
    if m is None:
        return 0
    stations = _features("seoul_subway_stations.geojson")
    street = LineString([_point(_station(stations, n)).coords for n in ("강남", "역삼", "선릉")], srid=4326)
    feature_create(map_obj=m, actor=owner, geom=street, name="테헤란로 (강남역–선릉역)", category="safe_route",
                   description="큰길이라 밤에도 밝습니다. 골목으로 들어가면 어두워집니다.")
    dong = next(f for f in _features("seoul_dong.geojson")
                if f["properties"]["name"] == "역삼1동" and f["properties"]["gu_name"] == "강남구")
    area = GEOSGeometry(json.dumps(dong["geometry"]), srid=4326)
    area = max(area, key=lambda p: p.area) if area.geom_type == "MultiPolygon" else area
    feature_create(map_obj=m, actor=owner, geom=area.simplify(0.0002, preserve_topology=True), name="역삼1동 골목",
                   category="dark_alley", description="먹자골목 뒤편은 밤 11시 이후 가로등이 드뭅니다.")
    bells = [f for f in _features("seoul_public_toilets.geojson")
             if f["properties"]["구 명칭"] == "강남구" and "비상벨" in (f["properties"]["편의시설 (기타설비)"] or "")
             and area.buffer(0.003).intersects(_point(f))]
    for f in bells:
        feature_create(map_obj=m, actor=owner, geom=_point(f), name=f"{f['properties']['건물명']} 화장실 비상벨",
                       category="emergency_bell")
    return 2 + len(bells)


AD = f"{SAMPLE_MARK} 역삼역 앞 무료 체험 이벤트"
FLAGGERS = (("citizen", "광고입니다."), ("analyst", "지도와 상관없는 홍보 글입니다."), ("officer-gangnam", "상업 광고라 숨깁니다."))


def _flagged_advertisement(stdout):
    """City staff's flag queue with one item: on the open Teheran-ro map, a sample advertisement posted at
    Yeoksam Station (the station's real place) and flagged as spam by three people, whose flags weigh enough
    (moderation/trust.py: two new accounts and an official) to hide it until staff decide."""
    from moderation.models import Flag
    from moderation.services import flag_create

    safety = Map.objects.filter(title="테헤란로 밤길 안전 지도").first()
    if safety is None or Feature.objects.filter(name=AD).exists():
        return
    User = get_user_model()
    station = _station(_features("seoul_subway_stations.geojson"), "역삼")
    ad = feature_create(map_obj=safety, actor=User.objects.get(username="citizen2"), geom=_point(station), name=AD,
                        description=f"{SAMPLE_MARK} 오늘만 무료! 지금 방문하세요.")
    for username, comment in FLAGGERS:
        flag_create(user=User.objects.get(username=username), target_type="feature", target_id=ad.pk,
                    reason=Flag.Reason.SPAM, comment=f"{SAMPLE_MARK} {comment}")
    ad.refresh_from_db()
    stdout.write(f"moderation: a sample advertisement on map {safety.pk} flagged by {len(FLAGGERS)} people "
                 f"({'hidden until staff review it' if ad.is_hidden else 'visible until staff review it'})")


@transaction.atomic
def load_demo(stdout):
    User = get_user_model()
    citizen, citizen2 = User.objects.get(username="citizen"), User.objects.get(username="citizen2")
    counts = [_accessible_toilets(citizen), _jongno_libraries(citizen2), _teheran_ro_safety(citizen)]
    stdout.write(f"demo maps: {sum(1 for c in counts if c)} created, {sum(counts)} features "
                 f"(existing demo maps kept as they are)")
    _flagged_advertisement(stdout)
