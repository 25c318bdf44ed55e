"""Screenshots of the web app's main pages for docs/screenshots/ (real rendered maps of Seoul).

    .venv/bin/python -m bench.ui.screenshots [--url http://127.0.0.1:8000] [--out docs/screenshots]

Without --url it builds what a newcomer's first `make run` has, and serves it the way `make run` does:
a database of its own in the local cluster (`geoplatform_screenshots`, made afresh: migrations, Seoul's
districts and dongs, `load_demo`, then the background worker's tasks), and the one ASGI app
(`geoplatform.asgi`) under uvicorn with HTTP and WebSockets on one port and a private Redis carrying live
events, so the map editor shows its live state as people see it. With --url it shoots a running server
that has the demo data (`manage.py load_demo`: demo users with password seoul-demo-2026, maps, reports).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .uibench import CHROMIUM_ARGS, ROOT, free_port, stop

PASSWORD = "seoul-demo-2026"
DATABASE = "geoplatform_screenshots"
# Without --disable-gpu: headless Chromium's software compositor (what --disable-gpu selects) leaves a
# rectangle of a map page blank once its bottom sheet, a scrolling panel, has opened — the map canvas's own
# pixels are right there and nothing covers it (docs/screenshots/README.md). Compositing through SwiftShader's
# GL, as here, shows the page as a phone's browser does.
SHOT_ARGS = [arg for arg in CHROMIUM_ARGS if arg != "--disable-gpu"]
DESKTOP = {"viewport": {"width": 1440, "height": 900}}
PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def log(message: str) -> None:
    print(f"[screenshots] {message}", file=sys.stderr, flush=True)


def local_environment(database: str) -> dict:
    """`make run`'s environment (bin/env: DEBUG, the local cluster) pointed at `database` of that cluster, with
    media files and a tile cache of its own (a tile cached from another database must never be shown)."""
    from bench.tilebench import base_url, with_database

    scratch = tempfile.mkdtemp(prefix="screenshots-")
    env = {**os.environ, "DATABASE_URL": with_database(base_url(), database),
           "DEBUG": "1",  # as `make run`: the demo (known passwords) loads only under DEBUG
           "DJANGO_SETTINGS_MODULE": "geoplatform.settings.base",
           "MEDIA_ROOT": os.path.join(scratch, "media"), "TILES_CACHE_DIR": os.path.join(scratch, "tiles"),
           "TILES_CACHE_BACKEND": "filesystem", "EMAIL_FILE_PATH": os.path.join(scratch, "mail")}
    env.pop("CHANNEL_REDIS_URL", None)
    return env


def demo_database(env: dict, *, reuse: bool = False) -> None:
    """Make env's database afresh with what a first `make run` loads: the shots show the demo, whatever the
    developer's own database holds (an old demo's running round there kept the participatory-budget sample
    from loading: one round at a time). `reuse` keeps a database made by an earlier run."""
    import psycopg

    from bench.tilebench import libpq_url, with_database

    url = libpq_url(env["DATABASE_URL"])
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reuse:
            log(f"reusing the database {name}")
            return
        log(f"making the database {name} afresh (migrations, Seoul, the demo)")
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    for command in (["migrate", "--noinput", "-v", "0"], ["load_seoul"], ["load_demo"],
                    # what `make run`'s worker does next: the tasks the demo queued (notifications, aggregates…)
                    ["run_worker", "--queue-name", "*", "--batch", "--no-reload"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)


def serve_live(port: int, env: dict) -> tuple[subprocess.Popen, subprocess.Popen]:
    """The ASGI app as `make run` serves it (uvicorn, HTTP and WebSockets on one port) with a private Redis
    as its channel layer: (server, redis). Stop both with bench.ui.uibench.stop."""
    sys.path.insert(0, str(ROOT))
    from live.local_redis import redis_start

    redis, redis_url = redis_start()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "geoplatform.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--ws", "websockets-sansio", "--no-access-log", "--lifespan", "off", "--log-level", "warning"],
        cwd=ROOT, env={**env, "CHANNEL_REDIS_URL": redis_url}, start_new_session=True,
        stdout=subprocess.DEVNULL)  # (the project's logging prints every request there)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server, redis
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    stop(server)
    stop(redis)
    raise SystemExit("screenshots: the server did not start")


def _largest_public_map(page) -> int:
    maps = page.evaluate("fetch('/api/maps/?limit=100').then(r => r.json()).then(d => d.results)")
    return max(maps, key=lambda m: m["feature_count"])["id"]


def _ready(page, attribute="mapReady"):
    if attribute:
        page.wait_for_function(f"document.body.dataset.{attribute} === 'true'", timeout=30000)
    page.wait_for_function("!window.gpMap || (window.gpMap.loaded() && window.gpMap.areTilesLoaded())", timeout=30000)
    page.wait_for_timeout(600)


def _live(page):
    """The editor's socket is up: its shots show the live state (and who is here), never "reconnecting"."""
    page.wait_for_function("document.body.dataset.live === 'live'", timeout=30000)


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
    _live(page)
    save(page, "map-edit-desktop")
    ctx.close()

    ctx, page = context(user="citizen", **PHONE)
    page.goto(f"/maps/{editable}/edit/")
    _ready(page, "editorReady")
    _live(page)
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
    parser.add_argument("--url", help="shoot a running server that has the demo data")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", choices=["projects"], help="only the pages of city projects and proposals")
    parser.add_argument("--database", default=DATABASE, help=f"the local cluster's database to make ({DATABASE})")
    parser.add_argument("--reuse-database", action="store_true", help="keep the database an earlier run made")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    served = ()
    base = args.url
    if not base:
        env = local_environment(args.database)
        demo_database(env, reuse=args.reuse_database)
        port = free_port()
        served = serve_live(port, env)
        base = f"http://127.0.0.1:{port}"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=SHOT_ARGS)
            for path in (shoot_projects if args.only == "projects" else shoot)(browser, base, out):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
            browser.close()
    finally:
        for process in served:
            stop(process)


if __name__ == "__main__":
    main()
