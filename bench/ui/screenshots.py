"""Screenshots of the web app's main pages for docs/screenshots/ (real rendered maps of Seoul).

    .venv/bin/python -m bench.ui.screenshots [--url http://127.0.0.1:8000] [--out docs/screenshots]

Needs the demo data (`manage.py load_demo`: demo users with password seoul-demo-2026, maps, reports).
Without --url it serves the project with gunicorn on a free port, as bench.ui.uibench does.
"""
import argparse
import sys
import tempfile
from pathlib import Path

from .uibench import CHROMIUM_ARGS, ROOT, free_port, prepare_data, serve, stop

PASSWORD = "seoul-demo-2026"
DESKTOP = {"viewport": {"width": 1440, "height": 900}}
PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def _largest_public_map(page) -> int:
    maps = page.evaluate("fetch('/api/maps/?limit=100').then(r => r.json()).then(d => d.results)")
    return max(maps, key=lambda m: m["feature_count"])["id"]


def _ready(page, attribute="mapReady"):
    if attribute:
        page.wait_for_function(f"document.body.dataset.{attribute} === 'true'", timeout=30000)
    page.wait_for_function("!window.gpMap || (window.gpMap.loaded() && window.gpMap.areTilesLoaded())", timeout=30000)
    page.wait_for_timeout(600)


def _open_sheet(page):
    """On a phone, raise a map-first page's bottom sheet with its handle."""
    page.get_by_test_id("sheet-handle").tap()
    page.wait_for_function("document.querySelector('.map-full > .map-panel').dataset.sheet === 'open'")


def shoot(browser, base: str, out: Path) -> list[Path]:
    saved = []

    def context(user=None, lang="ko", **options):
        ctx = browser.new_context(base_url=base, locale="ko-KR" if lang == "ko" else "en-GB", **options)
        page = ctx.new_page()
        if lang == "en":
            ctx.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        if user:
            page.goto("/accounts/login/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
        return ctx, page

    def save(page, name):
        path = out / f"{name}.png"
        page.screenshot(path=str(path))
        saved.append(path)

    ctx, page = context(**DESKTOP)
    page.goto("/")
    _ready(page)
    page.wait_for_selector(".map-card")
    save(page, "home-desktop")
    map_id = _largest_public_map(page)
    page.goto(f"/maps/{map_id}/")
    _ready(page)
    save(page, "map-desktop")
    page.goto("/layers/dataset-seoul_public_toilets/")
    _ready(page)
    save(page, "layer-public-toilets-desktop")
    ctx.close()

    ctx, page = context(user="citizen", **DESKTOP)
    own = page.evaluate("fetch('/api/maps/?owner=citizen&limit=50').then(r => r.json()).then(d => d.results)")
    editable = max(own, key=lambda m: m["feature_count"])["id"] if own else map_id
    page.goto(f"/maps/{editable}/edit/")
    _ready(page, "editorReady")
    save(page, "map-edit-desktop")
    ctx.close()

    ctx, page = context(user="citizen", **PHONE)
    page.goto(f"/maps/{editable}/edit/")
    _ready(page, "editorReady")
    save(page, "map-edit-phone")
    # Reporting on a phone: the map first, where the pin is in words above the lowered sheet; then the form.
    page.goto("/report/")
    _ready(page)
    page.evaluate("window.gpMap.jumpTo({center: [127.04895, 37.504503], zoom: 15})")
    _ready(page)
    x, y = page.evaluate("(() => { const p = window.gpMap.project([127.04895, 37.504503]); return [p.x, p.y]; })()")
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    page.touchscreen.tap(box["x"] + x, box["y"] + y)
    page.wait_for_function("document.getElementById('place-words').textContent.includes('강남구')", timeout=30000)
    _ready(page)
    save(page, "report-phone")
    _open_sheet(page)
    page.get_by_role("radio").first.tap()
    page.wait_for_timeout(300)
    save(page, "report-form-phone")
    page.goto("/reports/1/")
    _ready(page)
    _open_sheet(page)
    page.locator("#timeline li").first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    save(page, "report-timeline-phone")
    ctx.close()

    ctx, page = context(user="officer-gangnam", **DESKTOP)
    page.goto("/review/")
    _ready(page)
    page.locator(".queue-item").first.click()
    page.wait_for_function("document.body.dataset.selectedReport")
    _ready(page)
    save(page, "review-officer-desktop")
    ctx.close()

    # The officer's queue on a phone: the district first, the queue in the sheet; a report's details and
    # actions come up in the opened sheet.
    ctx, page = context(user="officer-gangnam", **PHONE)
    page.goto("/review/")
    _ready(page)
    page.wait_for_selector(".queue-item")
    save(page, "review-phone")
    _open_sheet(page)
    page.locator(".queue-item").first.tap()
    page.wait_for_function("document.body.dataset.selectedReport")
    _ready(page)
    page.wait_for_timeout(500)
    save(page, "review-detail-phone")
    page.goto("/meetings/")
    page.wait_for_function("window.gpMeetingsReady === true", timeout=30000)
    _ready(page, None)
    save(page, "meetings-phone")
    ctx.close()

    ctx, page = context(user="staff", **DESKTOP)
    page.goto("/moderation/")
    page.wait_for_load_state("networkidle")
    save(page, "moderation-staff-desktop")
    ctx.close()

    ctx, page = context(lang="en", **PHONE)
    page.goto("/")
    _ready(page)
    save(page, "home-phone-english")
    ctx.close()

    # An analysis on a phone: the map first, what it shows in words in the bottom sheet.
    ctx, page = context(**PHONE)
    page.goto("/analysis/")
    link = page.locator("[data-testid=published-analyses] a").first
    if link.count():
        link.click()
        _ready(page)
        save(page, "analysis-phone")
    ctx.close()

    # The other commitments of the action plan, as a visitor sees them.
    ctx, page = context(**DESKTOP)
    for path, name in [("/dashboards/", "dashboards-desktop"), ("/meetings/", "meetings-desktop"),
                       ("/analysis/", "analysis-desktop"), ("/campaigns/", "campaigns-desktop")]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1500)  # charts and map tiles settle
        save(page, name)
    ctx.close()
    return saved + shoot_projects(browser, base, out)


def shoot_projects(browser, base: str, out: Path) -> list[Path]:
    """City projects and citizens' proposals (#18): the projects map, a project, an evaluated proposal's
    timeline (desktop and phone), and a participatory-budget round's winning set."""
    saved = []

    def save(target, name, **options):
        path = out / f"{name}.png"
        target.screenshot(path=str(path), **options)
        saved.append(path)

    for viewport, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        ctx = browser.new_context(base_url=base, locale="ko-KR", **viewport)
        page = ctx.new_page()
        if suffix == "desktop":
            page.goto("/projects/")
            page.wait_for_function("window.gpProjectsReady === true", timeout=30000)
            page.wait_for_function("window.gpMap.loaded() && window.gpMap.areTilesLoaded()", timeout=30000)
            page.wait_for_timeout(600)
            save(page, "projects-desktop")
            projects = page.evaluate("fetch('/api/projects/').then(r => r.json()).then(d => d.features)")
            bike = next((p for p in projects if "테헤란로" in p["properties"]["title_ko"]), projects[0])
            page.goto(f"/projects/{bike['id']}/")
            page.wait_for_function("window.gpProjectReady === true", timeout=30000)
            page.wait_for_function("window.gpMap.loaded() && window.gpMap.areTilesLoaded()", timeout=30000)
            page.wait_for_timeout(600)
            save(page, "project-desktop")
        page.goto("/proposals/")
        page.wait_for_load_state("networkidle")
        if suffix == "desktop":
            save(page.locator("[data-testid=budget]").first, "budget-round-desktop")
        proposals = page.evaluate("fetch('/api/proposals/?state=accepted').then(r => r.json())"
                                  ".then(d => d.results.filter(p => p.kind !== 'map_topic'))")
        page.goto(f"/proposals/{proposals[0]['id']}/")
        page.wait_for_function("document.body.dataset.proposalReady === 'true'", timeout=30000)
        page.wait_for_function("!window.gpMap || (window.gpMap.loaded() && window.gpMap.areTilesLoaded())", timeout=30000)
        page.wait_for_timeout(600)
        save(page, f"proposal-evaluation-{suffix}", full_page=True)
        ctx.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", choices=["projects"], help="only the pages of city projects and proposals")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    server = None
    base = args.url
    if not base:
        sys.path.insert(0, str(ROOT))
        prepare_data()
        port = free_port()
        server = serve(port, tempfile.mkdtemp(prefix="screenshots-tiles-"))
        base = f"http://127.0.0.1:{port}"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
            for path in (shoot_projects if args.only == "projects" else shoot)(browser, base, out):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
            browser.close()
    finally:
        if server is not None:
            stop(server)


if __name__ == "__main__":
    main()
