"""Helpers for the web app's browser journeys (the fixtures themselves are in tests/conftest.py)."""
import io

import pytest
from PIL import Image


def expect_http_errors(page, *statuses):
    """Forget the console lines Chromium writes for answers the test provokes on purpose (e.g. 409)."""
    page.console_errors[:] = [e for e in page.console_errors
                              if not any(f"status of {status}" in e for status in statuses)]


def wait_for_map(page, attribute="mapReady"):
    page.wait_for_function(f"document.body.dataset.{attribute} === 'true'", timeout=20000)
    page.wait_for_function("window.gpMap && window.gpMap.loaded() && window.gpMap.areTilesLoaded()", timeout=20000)


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
