"""The distribution: a wheel built from the repository is typed and licensed, and
``translate.__version__`` is the installed distribution's version."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import translate

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
NAME = PYPROJECT["project"]["name"]


def _setuptools_builds_this() -> bool:
    """The test extra brings a setuptools that reads PEP 639 licenses (77.0.3 or newer)."""
    try:
        found = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return False
    return tuple(int(part) for part in found.split(".")[:3] if part.isdigit()) >= (77, 0, 3)


def test_version_is_the_installed_distributions() -> None:
    try:
        installed = importlib.metadata.version(NAME)
    except importlib.metadata.PackageNotFoundError:
        assert translate.__version__ == "0+unknown"
        pytest.skip(f"{NAME} is not installed (a bare source tree)")
    assert translate.__version__ == installed


@pytest.mark.skipif(not _setuptools_builds_this(), reason="needs setuptools>=77.0.3 (test extra)")
def test_the_wheel_has_py_typed_the_license_and_the_command(tmp_path: Path) -> None:
    """Built offline with the environment's setuptools, from a copy of what the build reads."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "translate", src / "translate", ignore=shutil.ignore_patterns("__pycache__")
    )
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-build-isolation", "--no-deps"]
        + ["--no-index", "-w", str(out), str(src)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = out.glob("*.whl")
    version = PYPROJECT["project"]["version"]
    assert wheel.name == f"{NAME.replace('-', '_')}-{version}-py3-none-any.whl"
    info = f"{NAME.replace('-', '_')}-{version}.dist-info"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert "translate/py.typed" in names
        assert zf.read(f"{info}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
        metadata = zf.read(f"{info}/METADATA").decode()
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
    assert not any(n.startswith(("tests/", "fixtures/", "benchmarks/")) for n in names)
    headers = metadata.split("\n\n", 1)[0].splitlines()
    assert f"Name: {NAME}" in headers
    assert "License-Expression: MIT" in headers
    assert "License-File: LICENSE" in headers
    assert "Classifier: Typing :: Typed" in headers
    assert "MIT License" in (ROOT / "LICENSE").read_text().splitlines()[0]
    assert "translate = translate.cli:main" in entry_points


def _lower_bounds() -> dict[str, str]:
    """``{name: lowest accepted version}`` of the runtime dependency and the gateway and
    test extras, as pyproject.toml writes them (``name>=low,<high``, maybe ``; marker``)."""
    found: dict[str, str] = {}
    extras = PYPROJECT["project"]["optional-dependencies"]
    for spec in PYPROJECT["project"]["dependencies"] + extras["gateway"] + extras["test"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+),<([0-9.]+)(?: *;.+)?", spec)
        assert match, f"{spec!r}: every dependency has a lower and an upper bound"
        found[match[1].lower()] = match[2]
    return found


def _release(version: str) -> tuple[int, ...]:
    parts = [int(p) for p in version.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def test_ci_pins_the_lowest_release_pyproject_accepts() -> None:
    """.ci/lowest.txt, which .ci/run tests against, is exactly the lower bounds."""
    pins = dict(
        line.strip().lower().split("==")
        for line in (ROOT / ".ci" / "lowest.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    bounds = _lower_bounds()
    assert sorted(pins) == sorted(bounds)
    for name, low in bounds.items():
        assert _release(pins[name]) == _release(low), name
    assert pins["setuptools"] in PYPROJECT["build-system"]["requires"][0]
