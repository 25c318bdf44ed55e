"""Helpers for the web app's browser journeys (the fixtures themselves are in tests/conftest.py)."""
import io

import pytest
from PIL import Image


def expect_http_errors(page, *statuses):
    """Forget the console lines Chromium writes for answers the test provokes on purpose (e.g. 409)."""
    expect_console_errors(page, *(f"status of {status}" for status in statuses))


def expect_console_errors(page, *fragments):
    """Forget console errors the test provokes on purpose (a 4xx answer, a fetch while offline)."""
    page.console_errors[:] = [e for e in page.console_errors if not any(fragment in e for fragment in fragments)]


def sign_up(page, username, password, email=None):
    """Fill the sign-up form (already open) the way a person does, and send it."""
    page.get_by_label("아이디").fill(username)
    page.get_by_label("이메일").fill(email or f"{username}@example.org")
    page.get_by_label("비밀번호", exact=True).fill(password)
    page.get_by_label("비밀번호 확인").fill(password)
    page.click("button[type=submit]")


def confirm_email_and_sign_in(page, username, password, next_path="/"):
    """After sign-up: open the link the e-mail carries, then sign in through the form."""
    import re

    from django.core import mail

    link = re.search(r"(/accounts/verify/[^\s]+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.wait_for_selector("#email-verified")
    page.goto(f"/accounts/login/?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def wait_for_map(page, attribute="mapReady"):
    page.wait_for_function(f"document.body.dataset.{attribute} === 'true'", timeout=20000)
    page.wait_for_function("window.gpMap && window.gpMap.loaded() && window.gpMap.areTilesLoaded()", timeout=20000)


def open_sheet(page):
    """On a phone, open a map-first page's bottom sheet with its handle (as a thumb does)."""
    page.get_by_test_id("sheet-handle").tap()
    page.wait_for_function("document.querySelector('.map-full > .map-panel').dataset.sheet === 'open'")


def rendered(page, source):
    """Properties of the features MapLibre has drawn from a source (each tile's copy counted once)."""
    return page.evaluate(
        """(source) => {
            const seen = new Map();
            for (const f of window.gpMap.queryRenderedFeatures()) {
                if (f.source !== source) continue;
                seen.set(`${f.properties.id ?? f.id}`, {...f.properties, geometryType: f.geometry.type});
            }
            return [...seen.values()];
        }""",
        source,
    )


@pytest.fixture
def jpeg_file(tmp_path):
    """A real photo-like JPEG (a gradient) with camera EXIF, as a phone would upload it."""
    image = Image.new("RGB", (640, 480))
    image.putdata([(x % 256, y % 256, (x + y) % 256) for y in range(480) for x in range(640)])
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    path = tmp_path / "alley.jpg"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def report_categories(db):
    """The city's hazard categories as `make run` ships them (reports.demo)."""
    from reports.demo import CATEGORIES
    from reports.models import ReportCategory
    from reports.services import category_create

    for position, (code, ko, en, body_ko, body_en, sensitive, ack, resolve) in enumerate(CATEGORIES):
        if not ReportCategory.objects.filter(code=code).exists():
            category_create(code=code, name_ko=ko, name_en=en, responsible_body_ko=body_ko, responsible_body_en=body_en,
                            is_sensitive=sensitive, acknowledge_days=ack, resolve_days=resolve, position=position)
    return {c.code: c for c in ReportCategory.objects.all()}


@pytest.fixture
def other_page(chromium, live_seoul):
    """A second person's page in its own browser context (own cookies), for two-person journeys."""
    from tests.conftest import _page

    context, other = _page(chromium, live_seoul, viewport={"width": 1280, "height": 800})
    yield other
    errors = list(other.console_errors)
    context.close()
    assert not errors, f"console errors: {errors}"
