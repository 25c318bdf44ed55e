"""schemathesis against the analyses endpoints of /api/schema/: no input makes a server error (bounded in time)."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from tests.schema_fuzz import call_case

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application()).include(path_regex="^/api/analyses")


@pytest.fixture
def analyst_token(analyst, toilets):
    from analysis.services import analysis_create, analysis_run

    analysis = analysis_create(user=analyst, name="fuzz target", method="coverage",
                               parameters={"source": "dataset-seoul_public_toilets", "hex_size_m": 5000})
    analysis_run(analysis=analysis, user=analyst)
    return Token.objects.get_or_create(user=analyst)[0].key


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_a_server_error(case, analyst_token):
    response, request = call_case(case, analyst_token)
    assert response.status_code < 500, request
