"""schemathesis over the reports, notifications, flags, moderation and audit operations of /api/schema/: no 5xx.

Deterministic and bounded: every operation is first called once with a fixed request (so each one is
reached whatever hypothesis can generate for it), then gets EXAMPLES derandomised examples per mode
(positive, negative). The caller is an administrator, who has every power (officer of all districts
and city staff), so the generated requests reach the writes.
"""
import time

import pytest
from rest_framework.authtoken.models import Token
from schemathesis.generation import GenerationMode

from tests.schema_fuzz import fuzz_operation, wsgi_schema

pytestmark = pytest.mark.django_db

EXAMPLES = 3
PATHS = r"^/api/(reports|notifications|flags|moderation|audit)/"
LIMIT_SECONDS = 240  # far above the ~1 min it takes, far below a hang


@pytest.fixture
def operations(db):
    with wsgi_schema() as schema:
        yield sorted((result.ok() for result in schema.include(path_regex=PATHS).get_all_operations()),
                     key=lambda op: (op.method.upper() == "DELETE", op.path, op.method))


def test_report_moderation_audit_and_notification_endpoints_never_answer_5xx(operations, make_user, make_report, citizen, places):
    admin = make_user("root", role="admin")
    report = make_report(citizen, places["gangnam_seocho_border"])
    token = Token.objects.create(user=admin).key
    fixed = {"pk": report.pk, "code": "road_damage", "target_type": "report", "target_id": report.pk}
    assert len(operations) >= 15
    server_errors, reached = [], set()
    started = time.monotonic()

    def seen(case, response):
        reached.add((case.method, case.operation.path))
        if response.status_code >= 500:
            server_errors.append((case.method, case.formatted_path, response.status_code, case.body, case.query))

    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        path_parameters = {name: fixed.get(name, 1) for name in names}
        baseline = operation.Case(path_parameters=path_parameters)  # reached even if nothing can be generated
        seen(baseline, baseline.call(headers={"Authorization": f"Token {token}"}))
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz_operation(operation, mode=mode, path_parameters=path_parameters, token=token,
                           examples=EXAMPLES, seen=seen)
    assert server_errors == []
    assert reached == {(op.method.upper(), op.path) for op in operations}
    assert time.monotonic() - started < LIMIT_SECONDS
