"""One door per question: the shared readers and checks are the only copies in the source tree."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from layers.query import bbox_parse, request_secret

ROOT = Path(__file__).resolve().parents[2]


def _product_files():
    """The Python source of the project's apps (not tests, benchmarks, migrations or installed packages)."""
    apps = {app for app in settings.INSTALLED_APPS if "." not in app and (ROOT / app).is_dir()}
    for app in sorted(apps):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts and "node_modules" not in path.parts:
                yield path


def _migrations():
    for app in sorted({app for app in settings.INSTALLED_APPS if "." not in app and (ROOT / app).is_dir()}):
        yield from (ROOT / app / "migrations").glob("*.py")


def _where(pattern: str) -> set[str]:
    """Product files whose source matches the regular expression."""
    regex = re.compile(pattern)
    return {str(path.relative_to(ROOT)) for path in _product_files()
            if regex.search(path.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("question,pattern,door", [
    ("the secret link key", r"(GET|query_params)(\.get\(|\[)[\"']key[\"']", set()),  # only request_secret reads it
    ("is this person city staff", r"is_authenticated and [a-z_.]*is_city_staff\b", {"accounts/permissions.py"}),
    ("a bbox parameter", r"float\([a-z_]+\) for [a-z_]+ in [a-z_()\"'.]*split\([\"'],[\"']\)", {"layers/query.py"}),
    ("a layer by name, if this viewer may see it", r"layer\.can_view\(", {"layers/access.py", "layers/registry.py"}),
    ("may this officer answer this report", r"Only officers of a district responsible", {"reports/selectors.py"}),
    ("may this person read internal notes", r"may add notes|def report_note_add[^#]*can_see_internal", set()),
    # history snapshots keep a feature's geometry whole (what an undo restores); everything shown is rounded
    ("a geometry written as GeoJSON", r"json\.loads\([\w.()]*\.geojson\)|GeometryField\(precision|AsGeoJSON\([^)]*precision=\d"
                                      r"|\"coordinates\": \[round\(", {"maps/services.py"}),
    ("what the tile cache must forget", r"def _(tiles_changed|invalidate)\b", set()),  # layers.services.tile_cache_invalidate
    ("a refused field", r"(?<!serializers\.)ValidationError\(\{\w+: ", {"geoplatform/errors.py"}),
    ("a refused field (private helpers)", r"def _(error|fail)\(field", set()),
    ("text a person wrote, cleaned and bounded", r"def _(clean_)?text\(field", set()),
    ("a path id or 404", r"MAX_ID = 2\*\*63|def _pk\(", {"geoplatform/ids.py"}),
    ("input through a serializer", r"def _(valid|validated|query)\(serializer_class", set()),
    ("the signed-in user or None", r"def _?user_or_none\(", {"accounts/permissions.py"}),
    # "who may call this at all" is the view's permission class, once per path; no second check in a service
    ("city staff only, or refused", r"def _?require_(city_)?staff\(|require_city_staff\(|PermissionDenied\(IsCityStaff\."
                                    r"|if not [a-z_.]*user\.is_city_staff\b", set()),
    # one access helper per object type: `<type>_access` in the app's selectors.py; the old names stay gone
    ("an object by id, fetched and checked", r"\b(access_\w+|\w+_get_for|(analysis|output|proposal|campaign|round|evaluation"
                                            r"|comment|indicator|feedback|meeting|committee|document|document_file)_get)\(",
     set()),
    ("the API door for city staff only", r"class (IsCityStaff|ReadOrCityStaff|IsCityStaffOrReadOnly|CanTriage\w*)\b",
     {"accounts/permissions.py"}),
    ("may this person write content", r"def _?require_creator\(", {"accounts/permissions.py"}),
    ("is this account banned", r"(not|and) [a-z_.]*is_banned\b|\"is_banned\", False\)|NotBanned|ensure_not_banned",
     {"accounts/permissions.py"}),
    # a GeoJSON document: geoplatform.geojson's builders; OGC API Features and the paged lists add their own members;
    # maps' history snapshot keeps the geometry whole (what an undo restores)
    ("a GeoJSON feature or collection written by hand", r"\"type\": \"Feature(Collection)?\"",
     {"geoplatform/geojson.py", "geoplatform/pagination.py", "layers/ogc.py", "maps/services.py"}),
    ("a correlated count", r"annotate\(n=Count\(\"\*\"\)\)", {"geoplatform/querysets.py"}),
    ("a read-only admin", r"class ReadOnlyAdmin\b", {"geoplatform/admin.py"}),
    ("the demo users", r"demo_users_load\(stdout\)", {"geoplatform/demo.py"}),
])
def test_each_question_has_one_door(question, pattern, door):
    assert _where(pattern) == door, question


def test_templates_ask_the_one_helper_whether_the_reader_is_city_staff():
    """Pages read `reader_is_city_staff` (accounts.context_processors, through accounts.permissions.is_city_staff)."""
    regex = re.compile(r"is_authenticated and [a-z_.]*is_city_staff\b|user\.is_city_staff")
    written_out = {str(path.relative_to(ROOT)) for path in ROOT.glob("*/templates/**/*.html")
                   if regex.search(path.read_text(encoding="utf-8"))}
    assert written_out == set()


def _in_rooms(pattern: str, *rooms: str) -> set[str]:
    """Files of these rooms (`api.py`, `services.py`…) whose source matches the regular expression."""
    regex = re.compile(pattern)
    return {str(path.relative_to(ROOT)) for path in _product_files()
            if path.name in rooms and regex.search(path.read_text(encoding="utf-8"))}


def test_doors_fetch_objects_only_through_their_access_helpers():
    """A view, page or socket never looks an object up by its id itself (and so never fetches it twice): it asks
    the app's access helper once, with `lock=True` inside the writing transaction."""
    by_id = r"\.objects(\.\w+\([^()]*\))*\.(get|filter)\(pk=(pk|fid|self\.kwargs|\w+\.pk\b|\w*_?id\b)"
    assert _in_rooms(by_id, "api.py", "views.py", "consumers.py") == set()
    assert _in_rooms(r"select_for_update\(", "api.py", "views.py", "consumers.py") == set()


def test_services_take_the_object_their_door_locked():
    """Services take objects, not ids, and do not lock again what the access helper locked for them. Two lock on
    purpose after slow work (reading an upload, re-encoding a photo), so that the row is held only for the short
    write; a background job's runner locks its job (`job_lock_unfinished`), which no door hands it."""
    relock = r"select_for_update\([^)]*\)(\.\w+\([^)]*\))*\.(get|filter)\(pk=\w+\.pk\)"
    assert _in_rooms(relock, "services.py") == {"dashboards/services.py", "maps/services.py", "jobs/services.py"}
    assert _in_rooms(r"def (map_update|feature_update|feature_delete|feature_review|vote_cast|vote_withdraw"
                     r"|proposal_answer|round_close|seat_score|committee_review_add|evaluation_decide"
                     r"|proposal_decide)\(\*, [^)]*\b(feature|proposal|round)_id\b", "services.py") == set()


def test_services_do_not_ask_again_who_may_call_them():
    """The role is checked by the door (a permission class); services keep only the rules on their objects and
    the ban (`require_not_banned`, `require_creator`)."""
    assert _in_rooms(r"is_city_staff|IsCityStaff|require_city_staff|is_analyst|\.can_create\(", "services.py") == set()


def _access_helpers():
    """Every `*_access` function in an app's selectors.py, with its module."""
    import importlib
    import inspect

    for path in _product_files():
        if path.name != "selectors.py":
            continue
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if name.endswith("_access") and func.__module__ == module.__name__:
                yield module.__name__, name, inspect.signature(func)


def test_each_object_type_has_one_access_helper_called_the_same_way():
    """`<type>_access(*, user, <type>_id, need="view", lock=False, secret="")`: keyword-only; the viewer (or,
    for a part of an object, the object its own helper returned); the id from the path; what the viewer needs
    to do (`need`, only where the object has rules beyond being seen); `lock` for writers."""
    helpers = list(_access_helpers())
    names = [name for _module, name, _sig in helpers]
    assert len(names) == len(set(names)), "two helpers for one object type"
    assert {"report_access", "project_access", "feedback_access", "map_access", "feature_access", "analysis_access",
            "proposal_access", "round_access", "campaign_access", "indicator_access", "meeting_access",
            "committee_access", "job_access", "category_access", "user_access"} <= set(names)
    parents = {"map_obj", "feature", "analysis", "indicator", "proposal"}
    for module, name, signature in helpers:
        params = signature.parameters
        assert all(p.kind is p.KEYWORD_ONLY for p in params.values()), (module, name)
        assert "user" in params or next(iter(params)) in parents, (module, name)
        assert any(p.endswith(("_id", "_code")) for p in params), (module, name)
        assert "need" not in params or params["need"].default == "view", (module, name)
        assert "lock" not in params or params["lock"].default is False, (module, name)
        assert "secret" not in params or params["secret"].default == "", (module, name)


def test_write_serializers_read_geometries_and_services_check_them():
    """A geometry's validity is judged once on a write path: by the service (`geometry_check`), not the serializer."""
    judged = {str(path.relative_to(ROOT)) for path in _product_files() if path.name == "serializers.py"
              and re.search(r"geometry_check\(|geometry_from_geojson\(", path.read_text(encoding="utf-8"))}
    assert judged == {"districts/serializers.py"}  # a read ("where is this?"), no service behind it


def test_pages_live_with_their_apps():
    """One pattern for pages: an app's `views.py`, mounted by its `page_urls.py`, renders its own templates
    (`templates/<app>/`); `frontend/` keeps only the home page and what every page shares."""
    rendered = re.compile(r"""(?:render\(request, |template_name = )["']([\w/]+)\.html["']""")
    pages = {}
    for path in _product_files():
        app = path.relative_to(ROOT).parts[0]
        for name in rendered.findall(path.read_text(encoding="utf-8")):
            assert name.split("/")[0] == app or name == "frontend/forbidden", (str(path.relative_to(ROOT)), name)
            pages.setdefault(app, set()).add(path.name)
    assert pages["frontend"] == {"views.py"} and "home" in (ROOT / "frontend/views.py").read_text(encoding="utf-8")
    for app, files in pages.items():
        assert app == "frontend" or (ROOT / app / "page_urls.py").exists(), app
    assert {"accounts", "maps", "reports", "moderation", "layers", "campaigns", "dashboards"} <= set(pages)


def test_no_app_imports_another_apps_private_names():
    """Shared helpers have public names in the app below (usually geoplatform/)."""
    private = re.compile(r"^from (\w+)[\w.]* import [^#\n]*\b(_[a-z]\w*)", re.M)
    found = {(str(path.relative_to(ROOT)), name) for path in _product_files()
             for app, name in private.findall(path.read_text(encoding="utf-8"))
             if app != path.relative_to(ROOT).parts[0] and name != "_"}
    assert found == set()


def test_migrations_move_content_types_through_one_helper():
    copies = {str(path.relative_to(ROOT)) for path in _migrations()
              if re.search(r"ContentType = apps\.get_model", path.read_text(encoding="utf-8"))}
    assert copies == set()


@pytest.mark.parametrize("text,extent", [
    (None, None), ("", None),
    ("126.9,37.4,127.2,37.7", (126.9, 37.4, 127.2, 37.7)),
    ("126.9,37.4,0,127.2,37.7,100", (126.9, 37.4, 127.2, 37.7)),  # OGC's 3-D bbox keeps its horizontal four
])
def test_bbox_parse_reads_wgs84_boxes(text, extent):
    box = bbox_parse(text)
    assert (box.extent if box is not None else None) == extent
    assert box is None or box.srid == 4326


@pytest.mark.parametrize("text", ["1,2,3", "a,b,c,d", "127.2,37.4,126.9,37.7", "-200,0,10,10", "127,37,nan,38",
                                  "127,37,inf,38"])
def test_bbox_parse_refuses_anything_else_naming_the_field(text):
    with pytest.raises(ValidationError) as refused:
        bbox_parse(text)
    assert refused.value.message_dict["bbox"][0].startswith("bbox")  # in the active language


def test_web_mercator_boxes_stop_at_85_degrees():
    assert bbox_parse("0,-80,10,80", max_lat=85.06) is not None
    with pytest.raises(ValidationError):
        bbox_parse("0,-89,10,89", max_lat=85.06)


def test_request_secret_reads_the_key_of_a_link_and_cuts_it():
    factory = RequestFactory()
    assert request_secret(factory.get("/maps/1/", {"key": "abc"})) == "abc"
    assert request_secret(factory.get("/maps/1/", {"key": "x" * 500})) == "x" * 100
    assert request_secret(factory.get("/maps/1/")) == ""
    assert request_secret(None) == ""
