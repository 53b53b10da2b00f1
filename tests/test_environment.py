"""environment.yml and pyproject.toml name the same dependencies."""

import re
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _normalize(requirement):
    name, _, version = re.match(
        r"([A-Za-z0-9_.\-]+)\s*(([<>=!~]=?)\s*(.*))?", requirement
    ).group(1, 2, 2)
    return name.lower().replace("_", "-"), (version or "").replace(" ", "")


def test_conda_and_pip_dependencies_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_side = dict(
        _normalize(item)
        for item in project["dependencies"] + project["optional-dependencies"]["dev"]
    )
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_side = dict(
        _normalize(item)
        for item in environment["dependencies"]
        if isinstance(item, str) and not item.startswith(("python", "pip"))
    )
    assert conda_side == pip_side


def test_environment_installs_scribble_itself():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_entries = [
        item for item in environment["dependencies"] if isinstance(item, dict)
    ]
    assert pip_entries == [{"pip": ["-e ."]}]
