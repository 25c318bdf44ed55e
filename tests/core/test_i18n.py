"""One language per reader: account choice, else the page's language, else Accept-Language; stored
messages rendered at read time; every English msgid of the code has its Korean."""
import gettext
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from geoplatform import messages
from tests.conftest import PASSWORD

ROOT = Path(settings.BASE_DIR)
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _blank_signup(client, **headers):
    return client.post("/api/auth/signup/", {"username": "", "password": "x" * 12, "email": "a@example.org"},
                       format="json", **headers)


@pytest.mark.django_db
def test_api_errors_follow_accept_language_for_anonymous_clients(api):
    english = _blank_signup(api, HTTP_ACCEPT_LANGUAGE="en")
    korean = _blank_signup(api, HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9")
    assert english.status_code == korean.status_code == 400
    assert english.json()["username"] == ["This field may not be blank."]
    assert english["Content-Language"] == "en"
    # Django REST framework's own Korean says "blank일 수 없습니다": the project catalogue corrects it.
    assert korean.json()["username"] == ["이 항목은 비워 둘 수 없습니다."]
    assert korean["Content-Language"] == "ko"


@pytest.mark.django_db
def test_a_token_clients_account_language_wins_over_accept_language(citizen, client_for):
    citizen.preferred_language = "ko"
    citizen.save()
    response = client_for(citizen).patch("/api/auth/me/", {"email": "not-an-address"}, format="json",
                                         HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert HANGUL.search(response.json()["email"][0]), response.json()
    citizen.preferred_language = ""
    citizen.save()
    response = client_for(citizen).patch("/api/auth/me/", {"email": "not-an-address"}, format="json",
                                         HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["email"] == ["Enter a valid email address."]


@pytest.mark.django_db
def test_a_signed_in_readers_account_language_wins_over_the_page_cookie(client, citizen):
    citizen.preferred_language = "en"
    citizen.save()
    client.force_login(citizen)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    response = client.get("/")
    assert response["Content-Language"] == "en"
    assert '<html lang="en"' in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_is_remembered_by_the_account(client, citizen):
    client.force_login(citizen)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.preferred_language == "en"
    assert client.get("/")["Content-Language"] == "en"


@pytest.mark.django_db
def test_visitors_switch_only_sets_the_page_language(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ko")["Content-Language"] == "en"


def test_a_stored_message_is_rendered_in_each_readers_language():
    key = messages.register("tests.sent", _("Sent to %(district)s."))
    status = messages.register("tests.status", _("Closed"))
    stored = messages.stored(key, district=messages.localised(ko="강남구", en="Gangnam-gu"))
    assert messages.render(stored, language="en") == "Sent to Gangnam-gu."
    # An untranslated msgid reads as English in Korean too; a translated one comes from the catalogue.
    nested = messages.stored(messages.register("tests.timeout", _("The request took too long; narrow it down.")))
    assert messages.render(nested, language="ko") == "요청이 너무 오래 걸립니다. 범위를 좁혀 다시 요청하세요."
    assert messages.render(messages.stored(status), language="en") == "Closed"
    assert messages.render({"key": "tests.gone", "params": {"fallback": "old text"}}) == "old text"
    assert messages.render(None) == ""
    with pytest.raises(KeyError):
        messages.stored("tests.never-registered")


def test_a_message_key_cannot_mean_two_texts():
    messages.register("tests.once", _("Open"))
    with pytest.raises(ValueError):
        messages.register("tests.once", _("Closed"))


def _catalogue() -> dict:
    """Every compiled Korean catalogue of the project (apps' and the project's), merged."""
    merged = {}
    for mo in ROOT.glob("**/locale/ko/LC_MESSAGES/django.mo"):
        if ".venv" in mo.parts or "node_modules" in mo.parts:
            continue
        with mo.open("rb") as handle:
            merged.update(gettext.GNUTranslations(handle)._catalog)
    return merged


def test_every_english_msgid_in_the_code_has_its_korean():
    """English msgids without Korean would show English in the Korean interface (bin/makemessages,
    translate, bin/compilemessages)."""
    files = sorted(
        str(path.relative_to(ROOT)) for path in ROOT.glob("*/**/*.py")
        if path.parts[len(ROOT.parts)] not in {".venv", "tests", "bench", "var", "node_modules", "docs"}
        and "migrations" not in path.parts and "node_modules" not in path.parts
    )
    pot = subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", "--no-location",
         "--keyword=gettext_noop", "--keyword=gettext_lazy", "--keyword=ngettext_lazy:1,2",
         "--keyword=pgettext:1c,2", "--keyword=pgettext_lazy:1c,2", "-o", "-", *files],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    msgids = set()
    for block in pot.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        text, current = {}, None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                text[current] = match.group(2)
            elif line.startswith('"') and current:
                text[current] += line[1:-1]
        if text.get("msgid"):
            msgid = text["msgid"].encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            if "msgctxt" in text:
                msgid = text["msgctxt"] + "\x04" + msgid
            msgids.add(msgid)
    assert len(msgids) > 10
    catalogue = _catalogue()
    korean = {key[0] if isinstance(key, tuple) else key: value for key, value in catalogue.items()}
    missing = sorted(m for m in msgids if not korean.get(m))
    assert not missing, f"{len(missing)} msgids without Korean, e.g. {missing[:10]}"
