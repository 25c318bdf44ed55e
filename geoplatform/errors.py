"""The one shape of a refused field: `{field: [message]}` in a `ValidationError`, a 400 in the API."""
from django.core.exceptions import ValidationError


def field_error(field: str, message, code: str = "invalid") -> ValidationError:
    """The error to raise when `field` is refused: `raise field_error("title", _("Give a title."))`."""
    return ValidationError({field: ValidationError(message, code=code)})
