"""Calling a schemathesis case through Django's test client, shared by the per-app fuzz tests.

Django's test client, not the bare WSGI app: the test's database transaction must stay open.
"""
import json
from contextlib import contextmanager
from urllib.parse import urlencode

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from rest_framework.test import APIClient
from schemathesis.core import NotSet


def call_case(case, token: str):
    """Send the generated request as the token's user; every body goes as JSON (bytes as latin-1 text)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = case.body if not isinstance(case.body, NotSet) else None
    path = case.formatted_path + ("?" + urlencode(case.query or {}, doseq=True) if case.query else "")
    kwargs = ({"data": json.dumps(body, default=lambda value: value.decode("latin-1")),
               "content_type": "application/json"} if body is not None else {})
    response = client.generic(case.method, path, **kwargs)
    return response, (case.method, path, body)


@contextmanager
def wsgi_schema():
    """/api/schema/ loaded over the WSGI app, with the test's transaction kept on its connection across
    requests (as Django's test client does): Django would otherwise close it after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def fuzz_operation(operation, *, mode, path_parameters: dict, token: str, examples: int, seen) -> bool:
    """Send `examples` generated requests of one operation as the token's user, derandomised; `seen(case,
    response)` gets each. False when nothing of this mode can be generated (e.g. no invalid input exists)."""
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None)

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        seen(case, case.call(headers={"Authorization": f"Token {token}"}))

    try:
        run()
    except Unsatisfiable:
        return False
    return True
