"""schemathesis against the projects and evaluation endpoints of /api/schema/: no input makes a server error."""

import pytest
import schemathesis
from django.contrib.gis.geos import Point
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from tests.schema_fuzz import call_case

from projects import services

schema = (schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
          .include(path_regex=r"^/api/(projects|evaluators|proposals/\{id\}/(evaluation|decision))"))


@pytest.fixture
def staff_token(staff, seoul):
    services.project_create(actor=staff, title_ko="서울광장 그늘막", department_ko="균형발전본부",
                            geom=Point(126.977108, 37.564718, srid=4326))
    return Token.objects.get_or_create(user=staff)[0].key


@schema.parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_a_server_error(case, staff_token):
    response, request = call_case(case, staff_token)
    assert response.status_code < 500, request
