"""schemathesis against the campaigns endpoints of /api/schema/: no input makes a server error (bounded in time)."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from tests.schema_fuzz import call_case

from campaigns import services

# Writes and list queries carry the input worth fuzzing; reads by id are covered by the 404 tests.
schema = (schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
          .include(path_regex="^/api/(proposals|rounds|campaigns)")
          .exclude(method="GET", path_regex=r"\{id\}"))


@pytest.fixture
def staff_token(staff, citizen, open_round):
    proposal = services.proposal_create(proposer=citizen, title="종로구 역사 골목", why="옛 골목 이야기",
                                        area_scope="districts", district_codes=["11110"])
    services.vote_cast(proposal=proposal, voter=citizen)
    return Token.objects.get_or_create(user=staff)[0].key


@schema.parametrize()
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_a_server_error(case, staff_token):
    response, request = call_case(case, staff_token)
    assert response.status_code < 500, request
