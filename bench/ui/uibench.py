"""How fast the web app shows real layers, in headless Chromium (not a test: a measurement).

    .venv/bin/python -m bench.ui.uibench [--runs 5] [--url http://127.0.0.1:8000]

Without --url it serves the project itself as in production (gunicorn, 2 workers × 4 threads, DEBUG
off, collected static files compressed by WhiteNoise) on a free port with an empty tile cache, against DATABASE_URL (or the local cluster), after loading the
districts and the real 4,585 public toilets of Seoul (layers.opendata.opendata_load) if missing.
Each run is a fresh browser context (no HTTP cache). The first run meets a cold tile cache; the
others a warm one. It prints a Markdown table with uMap's figures from issue 6 beside ours.
"""
import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOILETS = "dataset-seoul_public_toilets"
CITY_HALL = [126.9780, 37.5665]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]

# Watches the page's map (window.gpMap) from the first script on: when the layer's source first has
# features on screen, and when the map is first idle with all of its tiles after that.
PROBE = """
(source) => {
  window.__bench = {};
  const watch = () => {
    const map = window.gpMap;
    if (!map) return requestAnimationFrame(watch);
    window.__bench.mapCreated = performance.now();
    map.once("load", () => { window.__bench.mapLoad = performance.now(); });
    const ids = () => (map.getLayersOrder ? map.getLayersOrder() : []).filter((id) => map.getLayer(id)?.source === source);
    map.on("render", () => {
      if (window.__bench.firstShow) return;
      const layers = ids();
      if (layers.length && map.queryRenderedFeatures({ layers }).length) window.__bench.firstShow = performance.now();
    });
    map.on("idle", () => {
      if (window.__bench.firstShow && !window.__bench.complete && map.areTilesLoaded()) window.__bench.complete = performance.now();
    });
  };
  watch();
}
"""

CITY_VIEW = """
(source) => {
  const map = window.gpMap;
  const layers = map.getLayersOrder().filter((id) => map.getLayer(id)?.source === source);
  const marks = new Map();
  let labels = 0;
  for (const f of map.queryRenderedFeatures({ layers })) {
    if (f.layer.type === "symbol") { labels += 1; continue; }
    const [x, y] = f.geometry.coordinates;
    marks.set(`${x.toFixed(5)},${y.toFixed(5)}`, Number(f.properties.count || 1));
  }
  const counts = [...marks.values()];
  return { zoom: map.getZoom(), marks: counts.length, total: counts.reduce((a, b) => a + b, 0),
           largest: Math.max(0, ...counts), labels };
}
"""

ZOOM_IN = """
([center, zoom]) => new Promise((resolve) => {
  const map = window.gpMap;
  const start = performance.now();
  let frame = null;
  map.once("render", () => { frame = performance.now() - start; });
  map.once("idle", () => resolve({ frame, complete: performance.now() - start }));
  map.jumpTo({ center, zoom });
})
"""

DONGS = """
() => {
  const map = window.gpMap;
  const layers = map.getLayersOrder().filter((id) => map.getLayer(id)?.source === "gp-dongs");
  return new Set(map.queryRenderedFeatures({ layers }).map((f) => f.properties.code)).size;
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_data() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoplatform.settings.base")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from districts.models import District, Dong
    from districts.services import seoul_load
    from layers.models import Dataset
    from layers.opendata import opendata_load

    if District.objects.count() != 25 or Dong.objects.count() != 424:
        seoul_load()
    if not Dataset.objects.filter(slug="seoul_public_toilets").exists():
        opendata_load("seoul_public_toilets")


def serve(port: int, cache_dir: str) -> subprocess.Popen:
    """gunicorn as in production: DEBUG off, collected and compressed static files (WhiteNoise)."""
    static_root = tempfile.mkdtemp(prefix="uibench-static-")
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(40), "STATIC_ROOT": static_root,
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
           "CSRF_COOKIE_SECURE": "0", "TILES_CACHE_DIR": cache_dir, "TILES_CACHE_BACKEND": "filesystem",
           "DJANGO_SETTINGS_MODULE": "geoplatform.settings.base"}
    if "DATABASE_URL" not in env:
        env["DATABASE_URL"] = subprocess.check_output([str(ROOT / "bin" / "pg"), "url"], text=True).strip()
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "geoplatform.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--threads", "4",
         "--log-level", "warning"], cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise SystemExit("uibench: the server did not start")


def stop(process: subprocess.Popen, grace: float = 20) -> None:
    """Stop the server whatever the load: SIGTERM (gunicorn finishes its requests), then SIGKILL after `grace`
    seconds. Its exit status is not ours: a server killed at the end of a good run is not a failure."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:  # the server and its workers (started in a session of their own)
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=grace)


def measure_page(browser, base: str, path: str, source: str, viewport) -> tuple[dict, object, object]:
    context = browser.new_context(base_url=base, viewport=viewport, locale="ko-KR")
    page = context.new_page()
    page.add_init_script(f"({PROBE})({source!r})")
    page.goto(path)
    page.wait_for_function("window.__bench && window.__bench.complete", timeout=60000, polling=50)
    return page.evaluate("window.__bench"), page, context


def run(base: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    rows = {"first": [], "complete": [], "frame": [], "street": [], "dong_first": [], "dong_complete": []}
    city = dongs = None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        for index in range(runs):
            viewport = {"width": 1440, "height": 900}
            times, page, context = measure_page(browser, base, f"/layers/{TOILETS}/", f"gp-{TOILETS}", viewport)
            nav = page.evaluate("performance.getEntriesByType('navigation')[0].toJSON()")
            print(f"  html {nav['responseEnd']:.0f} ms, DOMContentLoaded {nav['domContentLoadedEventEnd']:.0f} ms, "
                  f"map created {times['mapCreated']:.0f} ms, style loaded {times.get('mapLoad', 0):.0f} ms", file=sys.stderr)
            rows["first"].append(times["firstShow"])
            rows["complete"].append(times["complete"])
            city = page.evaluate(f"({CITY_VIEW})({('gp-' + TOILETS)!r})")
            zoom = page.evaluate(f"({ZOOM_IN})", [CITY_HALL, 16])
            rows["frame"].append(zoom["frame"])
            rows["street"].append(zoom["complete"])
            context.close()
            times, page, context = measure_page(browser, base, "/layers/dongs/", "gp-dongs", viewport)
            rows["dong_first"].append(times["firstShow"])
            rows["dong_complete"].append(times["complete"])
            dongs = page.evaluate(f"({DONGS})()")
            context.close()
            print(f"run {index + 1}/{runs}: toilets shown {times and rows['first'][-1]:.0f} ms, complete "
                  f"{rows['complete'][-1]:.0f} ms; street frame {rows['frame'][-1]:.0f} ms; dongs "
                  f"{rows['dong_complete'][-1]:.0f} ms", file=sys.stderr)
        browser.close()
    return {"rows": rows, "city": city, "dongs": dongs}


def table(result: dict) -> str:
    rows, city = result["rows"], result["city"]

    def cell(values):
        cold, warm = values[0], values[1:] or values
        return f"{statistics.median(warm) / 1000:.2f} s (cold cache {cold / 1000:.2f} s)"

    lines = [
        "| measure (4,585 public toilets of Seoul, headless Chromium, 1440×900) | uMap | target | geoplatform |",
        "| --- | --- | --- | --- |",
        f"| layer first shows | 10.7 s | ≤ 1 s | {cell(rows['first'])} |",
        f"| screen complete (idle) | 16.9 s | ≤ 1.5 s | {cell(rows['complete'])} |",
        f"| city view (z{city['zoom']:.1f}) | one blob of pins | aggregated, with counts | {city['marks']} marks for "
        f"{city['total']:,} toilets, {city['labels']} count labels, largest {city['largest']} |",
        f"| zoom to street level (z16): new frame | — | ≤ 0.3 s | {statistics.median(rows['frame']) / 1000:.3f} s "
        f"(tiles complete {statistics.median(rows['street']) / 1000:.2f} s) |",
        f"| 424 dong polygons draw | — | ≤ 1 s | {cell(rows['dong_first'])} shown, {cell(rows['dong_complete'])} "
        f"complete; {result['dongs']} dongs on screen |",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--url", help="measure a server that is already running (with the toilets layer)")
    args = parser.parse_args()
    server = None
    base = args.url
    if not base:
        sys.path.insert(0, str(ROOT))
        prepare_data()
        port = free_port()
        cache = tempfile.mkdtemp(prefix="uibench-tiles-")
        server = serve(port, cache)
        base = f"http://127.0.0.1:{port}"
    try:
        result = run(base, max(2, args.runs))
    finally:
        if server is not None:
            stop(server)
    print(table(result))
    print(f"\n{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end of the run "
          f"(server, database and browser share the machine); medians of {max(2, args.runs) - 1} warm runs.")


if __name__ == "__main__":
    main()
