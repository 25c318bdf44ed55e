"""schemathesis against the analyses endpoints of /api/schema/: no input makes a server error (bounded in time)."""
import json
from urllib.parse import urlencode

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.core import NotSet

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
    # Django's test client, not the bare WSGI app: the test database connection must stay open.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {analyst_token}")
    body = case.body if not isinstance(case.body, NotSet) else None
    path = case.formatted_path + ("?" + urlencode(case.query or {}, doseq=True) if case.query else "")
    # every body goes as JSON (bytes generated for form media types as text)
    kwargs = ({"data": json.dumps(body, default=lambda value: value.decode("latin-1")),
               "content_type": "application/json"} if body is not None else {})
    response = client.generic(case.method, path, **kwargs)
    assert response.status_code < 500, (case.method, path, body)
