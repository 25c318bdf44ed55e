"""What every page's template may ask about its reader, answered by the one helper (accounts.permissions)."""
from .permissions import is_city_staff


def roles(request):
    """`reader_is_city_staff` for the templates, so that no template writes the check out again."""
    return {"reader_is_city_staff": is_city_staff(getattr(request, "user", None))}
