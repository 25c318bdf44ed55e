"""What an output's value means, stored as a key with parameters and read in the reader's language
(geoplatform/messages.py). `AnalysisOutput.value_label` holds the stored message as JSON."""
import json

from django.utils.translation import gettext_lazy as _

from geoplatform.messages import register, render, stored

COUNT = register("analysis.value.count", _("records"))
PER_KM2 = register("analysis.value.per_km2", _("records per km²"))
PER_POPULATION = register("analysis.value.per_population", _("records per %(per)s residents"))
DENSITY = register("analysis.value.density", _("records per km²"))
DENSITY_CLASS = register("analysis.value.density_class", _("records per km², lower bound of the class"))
GISTAR = register("analysis.value.gistar", _("Gi* z-score (count = records in the cell and its neighbours)"))
DISTANCE = register("analysis.value.distance", _("metres from the cell centre to the nearest facility"))
CHANGE = register("analysis.value.change",
                  _("records in the second period minus the first (count = second, count_before = first)"))


def value_label(key: str, **params) -> str:
    """The text to store in `AnalysisOutput.value_label`."""
    return json.dumps(stored(key, **params), ensure_ascii=False, separators=(",", ":"))


def value_label_text(value: str, *, language: str | None = None) -> str:
    """The stored value label in the reader's (or the given) language.

    Outputs computed before labels were stored as keys hold "English / 한국어": the reader's half is shown.
    """
    if not value:
        return ""
    try:
        message = json.loads(value)
    except ValueError:
        message = None
    if isinstance(message, dict) and "key" in message:
        return render(message, language=language)
    from django.utils import translation

    english, separator, korean = value.partition(" / ")
    if not separator:
        return value
    return english if (language or translation.get_language() or "ko").startswith("en") else korean
