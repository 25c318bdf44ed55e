from django.db import Error as DatabaseError, connection
from django.http import JsonResponse


def healthz(request):
    """200 when the database answers, 503 when it does not (for load balancers and compose)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT postgis_lib_version()")
            postgis = cursor.fetchone()[0]
    except DatabaseError as exc:
        connection.close_if_unusable_or_obsolete()
        return JsonResponse({"status": "unavailable", "database": "unreachable", "detail": str(exc).splitlines()[0][:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "postgis": postgis})
