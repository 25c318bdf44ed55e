"""The apps import only downward and no app's modules import each other in a cycle (import-linter).

The contracts are in `.importlinter` at the top of the repository; `lint-imports` checks them.
"""
import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".importlinter"


def _lint(config: Path) -> subprocess.CompletedProcess:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    return subprocess.run([lint, "--config", str(config), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def _contracts() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(CONFIG, encoding="utf-8")
    return parser


def test_every_app_of_the_project_is_in_the_layers_and_the_cycle_check():
    ours = {app for app in settings.INSTALLED_APPS if "." not in app and (ROOT / app).is_dir()}
    config = _contracts()
    layered = {name.strip() for line in config["importlinter:contract:apps-layered"]["layers"].split("\n")
               for name in line.split("|") if name.strip()}
    acyclic = set(config["importlinter:contract:no-cycles-within-apps"]["ancestors"].split())
    assert layered == ours and acyclic == ours and set(config["importlinter"]["root_packages"].split()) == ours


def test_the_readme_states_the_layers_of_the_contract():
    """README's "Apps import only downward, in this order" sentence names the contract's layers, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sentence = readme.split("runs `lint-imports`): ", 1)[1].split(" (its shared checks", 1)[0]
    sentence = re.sub(r"\([^()]*\)", "", sentence)  # the remarks in brackets name other modules
    stated = [sorted(re.findall(r"`(\w+)`", step)) for step in sentence.split("→")]
    layers = [sorted(name.strip() for name in line.split("|")) for line in
              _contracts()["importlinter:contract:apps-layered"]["layers"].split("\n") if line.strip()]
    assert stated == layers


def test_the_import_contracts_are_kept():
    run = _lint(CONFIG)
    assert run.returncode == 0, run.stdout[-4000:]
    assert "Contracts: 2 kept, 0 broken." in run.stdout


def test_an_upward_import_breaks_the_layers(tmp_path):
    """The check can fail: with `jobs` put above `layers` (which imports it), the contract is broken."""
    config = _contracts()
    layers = config["importlinter:contract:apps-layered"]["layers"].split("\n")
    config["importlinter:contract:apps-layered"]["layers"] = "\n".join(
        ["jobs" if line.strip() == "layers" else "layers" if line.strip() == "jobs" else line for line in layers])
    swapped = tmp_path / "importlinter.ini"
    with swapped.open("w", encoding="utf-8") as handle:
        config.write(handle)
    run = _lint(swapped)
    assert run.returncode == 1 and "Apps import only downward BROKEN" in run.stdout
    assert "layers" in run.stdout and "-> jobs" in run.stdout
