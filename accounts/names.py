"""Names that only the city may use: a citizen cannot call themselves "서울시청 공식" or "Official".

A name is compared after Unicode NFKC normalisation (full-width and compatibility letters become plain
ones), case folding, and removal of everything that is not a letter or digit (spaces, dots, zero-width
characters), so "Ｓｅｏｕｌ City-Hall", "시 청" and "OFFICIAL" are all caught.
"""
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Compared as substrings of the compacted name.
RESERVED_WORDS = (
    "공식", "관리자", "운영자", "운영진", "시청", "구청", "서울시", "서울특별시", "주민센터", "행정복지센터",
    "시장", "구청장", "공무원", "정부",
    "official", "admin", "administrator", "moderator", "operator", "cityhall", "seoulcity", "seoulmetropolitan",
    "government", "districtoffice", "mayor", "geoplatform",
)


def compact(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def is_reserved_name(name: str) -> bool:
    plain = compact(name)
    return any(word in plain for word in RESERVED_WORDS)


def validate_not_reserved(name: str) -> None:
    if is_reserved_name(name):
        raise ValidationError(_("This name is reserved for the city's official accounts. Choose another."),
                              code="reserved")
