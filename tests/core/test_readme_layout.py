"""README's layout describes the tree exactly: every module of every app is a room the room plan names or is named
in its app's row of the Layout table, and every module a row names exists in one of that row's folders."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _rows() -> dict[str, str]:
    """Each app folder of the Layout table and the text of its row."""
    table = README[README.index("## Layout"):README.index("Apps import only downward")]
    rows = {}
    for line in table.splitlines():
        cells = line.split(" | ")
        if line.startswith("| `") and len(cells) >= 2:
            for folder in re.findall(r"`(\w+)/`", cells[0]):
                rows[folder] = rows.get(folder, "") + line
    return rows


def _rooms() -> set[str]:
    plan = README[README.index("Rooms are named the same"):]
    plan = plan[:plan.index("\n\n")]
    return set(re.findall(r"`(\w+\.py)`", plan)) | {"__init__.py", "apps.py"}


def _apps() -> list[Path]:
    """The apps whose modules the table names one by one (`bench/` is described as a whole: the benchmarks)."""
    return sorted(path.parent for path in ROOT.glob("*/apps.py") if path.parent.name != "bench")


def test_every_module_of_every_app_is_a_room_or_named_in_its_row():
    rows, rooms = _rows(), _rooms()
    unnamed = []
    for app in _apps():
        row = rows.get(app.name, "")
        assert row, f"{app.name}/ has no row in README's Layout table"
        for module in sorted(app.glob("*.py")):
            if module.name not in rooms and f"`{module.name}`" not in row and f"{app.name}/{module.name}" not in README:
                unnamed.append(f"{app.name}/{module.name}")
    assert unnamed == []


def test_every_module_a_row_names_exists():
    missing = []
    for folder, row in _rows().items():
        folders = re.findall(r"`(\w+)/`", row.split(" | ")[0])
        for name in re.findall(r"`([\w/]+\.py)`", row.split(" | ", 1)[1]):
            if not any((ROOT / f / name).exists() for f in folders) and not (ROOT / name).exists():
                missing.append(f"{folder}: {name}")
    assert missing == []
