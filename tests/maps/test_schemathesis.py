"""Property-based run of schemathesis over the maps and templates endpoints of /api/schema/: no 5xx.

Bounded: a few examples per operation, positive and negative, about half a minute in all. Path
parameters point at a real map, feature and photo so the generated requests reach the code behind
the 404 check; the caller is the map's owner (with a token), so writes are exercised too.
"""
import io
import json
from collections import Counter

import pytest
from django.contrib.gis.geos import GEOSGeometry
from rest_framework.authtoken.models import Token
from schemathesis.generation import GenerationMode

from tests.schema_fuzz import fuzz_operation, wsgi_schema
from maps.services import collaborator_set, feature_create, map_create, photo_add

from .conftest import GANGNAM_TOILET, jpeg_with_gps, toilet

EXAMPLES = 3


@pytest.fixture
def schema(db):
    with wsgi_schema() as loaded:
        yield loaded.include(path_regex=r"^/api/(maps|templates)/")


def test_maps_endpoints_never_answer_5xx(schema, citizen, citizen2, safety_template, seoul):
    m = map_create(owner=citizen, title="스키마 점검 지도", template=safety_template, contribution_mode="moderated")
    feature = feature_create(map_obj=m, actor=citizen, geom=GEOSGeometry(json.dumps(toilet(GANGNAM_TOILET)["geometry"])))
    upload = io.BytesIO(jpeg_with_gps((64, 48)))
    upload.name = "p.jpg"
    upload.size = len(upload.getvalue())
    photo = photo_add(feature=feature, actor=citizen, upload=_Upload(upload))
    collaborator_set(map_obj=m, actor=citizen, user=citizen2, role="editor")
    token = Token.objects.create(user=citizen).key
    fixed = {"fid": feature.pk, "photo_id": photo.pk, "user_id": citizen2.pk}
    server_errors, statuses = [], []
    operations = [result.ok() for result in schema.get_all_operations()]
    # deletions last (photo, then feature, then the map itself) so they do not empty the ground for the others
    operations.sort(key=lambda op: (op.method.upper() == "DELETE", -op.path.count("{")))
    assert len(operations) >= 25

    def seen(case, response):
        statuses.append(response.status_code)
        if response.status_code >= 500:
            server_errors.append((case.method, case.formatted_path, response.status_code, case.body, case.query))

    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        own_id = safety_template.pk if operation.path.startswith("/api/templates/") else m.pk
        path_parameters = {k: v for k, v in {**fixed, "id": own_id, "pk": own_id}.items() if k in names}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            generated = fuzz_operation(operation, mode=mode, path_parameters=path_parameters, token=token,
                                       examples=EXAMPLES, seen=seen)
            # only invalid input can be impossible (e.g. no parameters besides the fixed ones)
            assert generated or mode == GenerationMode.NEGATIVE, operation.label
    assert server_errors == []
    print(sorted(Counter(statuses).items()))
    assert len(statuses) > 120 and sum(200 <= s < 300 for s in statuses) > 30  # the runs reached real work


class _Upload:
    """Just enough of an UploadedFile for the service (name, size, seek, read)."""

    def __init__(self, buffer):
        self.buffer, self.name, self.size = buffer, buffer.name, len(buffer.getvalue())

    def seek(self, pos):
        return self.buffer.seek(pos)

    def read(self, *args):
        return self.buffer.read(*args)
