"""API errors in one language: with `Accept-Language: en` no Hangul anywhere in the answer; with `ko` every
message is Korean. A sweep over validation errors of several apps' endpoints (and Open311), the same
requests in both languages."""
import pytest

from tests.conftest import HANGUL

pytestmark = pytest.mark.django_db


def _messages(data) -> list[str]:
    """Every message string in an error body (DRF's nested dicts and lists; Open311's code/description)."""
    if isinstance(data, dict):
        return [m for key, value in data.items() if key != "code" for m in _messages(value)]
    if isinstance(data, list):
        return [m for value in data for m in _messages(value)]
    return [data] if isinstance(data, str) else []


def _requests(citizen, staff, analyst, seoul):
    """(who, method, path, body): each answers a 4xx with a message a person reads."""
    return [
        (None, "post", "/api/auth/signup/", {"username": "", "password": "x" * 12, "email": "a@example.org"}),
        (citizen, "post", "/api/maps/", {"title": ""}),
        (citizen, "post", "/api/maps/", {"title": "x", "visibility": "everyone"}),
        (None, "get", "/api/reports/", {"bbox": "1,2,3"}),
        (citizen, "post", "/api/reports/", {"category": "road_damage", "description": ""}),
        (citizen, "post", "/api/proposals/", {"title": "x", "why": "y", "area_scope": "planet"}),
        (citizen, "post", "/api/proposals/", {"title": "x", "why": "y", "area_scope": "districts",
                                              "districts": ["00000"]}),
        (citizen, "post", "/api/feedback/", {"kind": "rant", "text": "x"}),
        (citizen, "post", "/api/analyses/", {"name": "x", "method": "coverage"}),
        (analyst, "post", "/api/analyses/", {"name": "x", "method": "astrology", "parameters": {}}),
        (analyst, "post", "/api/analyses/", {"name": "x", "method": "coverage", "parameters": {"source": "nowhere"}}),
        (staff, "post", "/api/rounds/", {"title": "x", "starts_at": "2027-01-10T00:00:00+09:00",
                                         "ends_at": "2027-01-01T00:00:00+09:00"}),
        (None, "get", "/open311/v2/requests.json", {"status": "sleeping"}),
        (None, "get", "/open311/v2/services/nothing.json", None),
        (None, "get", "/api/proposals/", {"district": "gangnam"}),
    ]


def _send(client_for, api, who, method, path, body, language):
    client = client_for(who) if who is not None else api
    call = getattr(client, method)
    if method == "get":
        return call(path, body or {}, HTTP_ACCEPT_LANGUAGE=language)
    return call(path, body, format="json", HTTP_ACCEPT_LANGUAGE=language)


def test_api_errors_read_in_english_alone_or_in_korean_alone(citizen, staff, analyst, seoul, client_for, api):
    for who, method, path, body in _requests(citizen, staff, analyst, seoul):
        english = _send(client_for, api, who, method, path, body, "en")
        korean = _send(client_for, api, who, method, path, body, "ko-KR,ko;q=0.9")
        where = f"{method.upper()} {path} {body}"
        assert 400 <= english.status_code < 500 and english.status_code == korean.status_code, (where, english.content)
        english_messages, korean_messages = _messages(english.json()), _messages(korean.json())
        assert english_messages and korean_messages, (where, english.json())
        assert not HANGUL.search(str(english.json())), (where, english.json())
        for message in korean_messages:
            assert HANGUL.search(message), (where, message)
            assert " / " not in message, (where, message)
        assert english_messages != korean_messages, where

