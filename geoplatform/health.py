from django.db import DEFAULT_DB_ALIAS, Error as DatabaseError, connections
from django.http import JsonResponse

from .db_router import health as replica_health, replica_aliases


def _primary() -> tuple[bool, str]:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT postgis_lib_version()")
            return True, cursor.fetchone()[0]
    except DatabaseError as exc:
        connection.close_if_unusable_or_obsolete()
        return False, str(exc).splitlines()[0][:200]


def healthz(request):
    """200 when the primary answers, 503 saying what is down when it does not (load balancers, compose).

    Replicas are reported (`ok`, `lagging` or `down`) but do not fail the check: reads fall back to the primary.
    """
    up, detail = _primary()
    body = {"status": "ok" if up else "unavailable", "database": "ok" if up else "unreachable",
            "primary": "ok" if up else "down"}
    if up:
        body["postgis"] = detail
    else:
        body["detail"] = detail
        body["down"] = ["primary"]
    replicas = {}
    for alias in replica_aliases():
        usable, lag = replica_health.probe(alias)
        replicas[alias] = {"state": "ok" if usable else ("down" if lag is None else "lagging"), "lag_seconds": lag}
    if replicas:
        body["replicas"] = replicas
        body.setdefault("down", []).extend(a for a, r in replicas.items() if r["state"] == "down")
    response = JsonResponse(body, status=200 if up else 503)
    response["Cache-Control"] = "no-store"
    if not up:
        response["Retry-After"] = "15"
    return response
