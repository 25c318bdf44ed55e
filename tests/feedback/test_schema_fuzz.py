"""schemathesis against the feedback and roadmap endpoints of /api/schema/: no input makes a server error."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from tests.schema_fuzz import call_case

from feedback import services

schema = (schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
          .include(path_regex="^/api/(feedback|roadmap)")
          .exclude(method="GET", path_regex=r"\{id\}"))


@pytest.fixture
def staff_token(staff, citizen):
    services.feedback_create(author=citizen, kind="wish", text="지도 인쇄 기능")
    return Token.objects.get_or_create(user=staff)[0].key


@schema.parametrize()
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_a_server_error(case, staff_token):
    response, request = call_case(case, staff_token)
    assert response.status_code < 500, request
