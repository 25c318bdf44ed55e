"""schemathesis over the whole API of /api/schema/, bounded in time, plus the hostile bodies and queries
the outside review used (JSON nested 100,000 deep, NUL, unpaired surrogates, NaN): no 5xx anywhere.

The caller is city staff and an analyst at once (the widest powers), with a token; path ids point at
real objects where the path names a known resource, so requests get past the 404 check. Generation
stops when the time budget is spent; the hostile cases run for every operation regardless.
"""
import time
from collections import Counter
from urllib.parse import quote

from django.contrib.gis.geos import Point
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.generation import GenerationMode

from tests.schema_fuzz import fuzz_operation, wsgi_schema

BUDGET_SECONDS = 60  # for generated cases; the hostile cases come on top (about half a minute)
EXAMPLES = 2
CITY_HALL = (126.97797, 37.56654)
DEEP = ("[" * 100_000 + "]" * 100_000).encode()
HOSTILE_BODIES = [
    DEEP,
    ('{"a":' * 50_000 + "1" + "}" * 50_000).encode(),
    b'{"name": "a\\u0000b", "title": "\\u0000", "description": "\\ud800", "text": "\\udfff x", '
    b'"properties": {"\\u0000": "\\ud800"}, "category": "road\\u0000damage", "caption": "\\u0000"}',
    b'{"title": NaN, "value": Infinity, "zoom": -Infinity}',
    b'{"geometry": {"type": "MultiPoint", "coordinates": [[]]}, "properties": {"x": "\\u0000"}}',
    b'["\\u0000", "\\ud800"]',
]
HOSTILE_QUERIES = ["q=%00", "bbox=%00", "service_code=%00&api_key=%00", "datetime=9999-12-31",
                   "datetime=0001-01-01T00:00:00%2B14:00", "search=%ED%A0%80", "key=%00", "limit=%00&offset=%00"]


def _world(make_user, seoul):
    """A user who may do nearly everything, and one real object per resource family."""
    from accounts.services import role_grant
    from analysis.services import analysis_create
    from maps.services import feature_create, map_create
    from reports.services import category_create, report_create

    user = make_user("fuzz.staff", role="city_staff")
    role_grant(user=user, role="analyst", district_codes=[])
    map_obj = map_create(owner=user, title="스키마 점검 지도")
    feature = feature_create(map_obj=map_obj, actor=user, geom=Point(*CITY_HALL, srid=4326), name="서울광장")
    road = category_create(code="road_damage", name_ko="도로 파손", name_en="Damaged road",
                           responsible_body_ko="도로관리과", responsible_body_en="Road management")
    report = report_create(reporter=user, category=road, geom=Point(*CITY_HALL, srid=4326), description="보도 파손")
    analysis = analysis_create(user=user, name="fuzz", method="aggregation",
                               parameters={"source": map_obj.layer_name, "unit": "district"})
    ids = {"/api/maps/": map_obj.pk, "/api/reports/": report.pk, "/api/analyses/": analysis.pk}
    return user, ids, {"fid": feature.pk, "code": "road_damage", "layer": map_obj.layer_name}


def _path_parameters(operation, ids, fixed):
    names = {p.name for p in operation.path_parameters}
    values = {k: v for k, v in fixed.items() if k in names}
    own = next((pk for prefix, pk in ids.items() if operation.path.startswith(prefix)), None)
    if own is not None:
        values.update({name: own for name in ("pk", "id") if name in names})
    return values


def _fill(path: str, values: dict) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(str(value)))
    return path.replace("{", "").replace("}", "")  # any id we do not know: a name that matches nothing


def test_the_whole_api_never_answers_5xx_even_to_hostile_input(make_user, seoul):
    user, ids, fixed = _world(make_user, seoul)
    token = Token.objects.create(user=user).key
    server_errors, statuses = [], Counter()
    started = time.monotonic()

    def seen(case, response):
        statuses[response.status_code // 100] += 1
        if response.status_code >= 500:
            server_errors.append((case.method, case.formatted_path, response.status_code))

    with wsgi_schema() as schema:
        operations = [result.ok() for result in schema.get_all_operations()]
        operations.sort(key=lambda op: (op.method.upper() == "DELETE", op.path))  # deletions last
        assert len(operations) >= 100, "the schema lost operations"

        for operation in operations:
            path_parameters = _path_parameters(operation, ids, fixed)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                if time.monotonic() - started > BUDGET_SECONDS:
                    break
                fuzz_operation(operation, mode=mode, path_parameters=path_parameters, token=token,
                               examples=EXAMPLES, seen=seen)

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        for operation in operations:
            method = operation.method.upper()
            if method == "DELETE":
                continue
            path = _fill(operation.path, _path_parameters(operation, ids, fixed))
            for query in HOSTILE_QUERIES:
                response = client.generic(method, f"{path}?{query}")
                statuses[response.status_code // 100] += 1
                if response.status_code >= 500:
                    server_errors.append((method, f"{path}?{query}", response.status_code))
            if method in ("POST", "PUT", "PATCH"):
                for body in HOSTILE_BODIES:
                    response = client.generic(method, path, body, content_type="application/json")
                    statuses[response.status_code // 100] += 1
                    if response.status_code >= 500:
                        server_errors.append((method, path, body[:60], response.status_code))
    print(sorted(statuses.items()), f"{time.monotonic() - started:.0f} s")
    assert server_errors == []
    assert statuses[2] > 100 and statuses[4] > 300  # the runs reached real work and real refusals
