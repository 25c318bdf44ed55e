"""schemathesis over the reports, notifications, flags, moderation and audit operations of /api/schema/: no 5xx.

Bounded (a few positive and negative examples per operation). The caller is an administrator, who has
every power (officer of all districts and city staff), so the generated requests reach the writes.
"""
import pytest
from hypothesis.errors import Unsatisfiable
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.generation import GenerationMode

from tests.schema_fuzz import wsgi_schema

pytestmark = pytest.mark.django_db

EXAMPLES = 2
PATHS = r"^/api/(reports|notifications|flags|moderation|audit)/"


@pytest.fixture
def operations(db):
    with wsgi_schema() as schema:
        yield [result.ok() for result in schema.include(path_regex=PATHS).get_all_operations()]


def test_report_moderation_audit_and_notification_endpoints_never_answer_5xx(operations, make_user, make_report, citizen, places):
    admin = make_user("root", role="admin")
    report = make_report(citizen, places["gangnam_seocho_border"])
    token = Token.objects.create(user=admin).key
    fixed = {"pk": report.pk, "code": "road_damage", "target_type": "report", "target_id": report.pk}
    assert len(operations) >= 15
    strategies = []
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        path_parameters = {k: v for k, v in fixed.items() if k in names} or None
        strategies += [operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
                       for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    server_errors, reached = [], set()

    def call(case):
        response = case.call(headers={"Authorization": f"Token {token}"})
        reached.add((case.method, case.operation.path))
        if response.status_code >= 500:
            server_errors.append((case.method, case.formatted_path, response.status_code, case.body, case.query))

    # Each operation and mode gets its own examples (one draw over all of them left whole operations
    # untried, depending on how the schema happened to change).
    for strategy in strategies:
        try:
            settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))(given(case=strategy)(call))()
        except Unsatisfiable:  # e.g. no invalid input exists for an operation without parameters
            continue
    assert server_errors == []
    assert len(reached) == len(operations)  # every operation was tried
