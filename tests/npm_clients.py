"""Real clients from the npm registry for the tests: installed once into a cache folder
(``$XDG_CACHE_HOME/translate-tests/<name>-<version>``, or the folder an environment variable
names), skipped with the reason where npm or node is missing, failed where the install does
not run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def install(package: str, version: str, binary: str, folder_variable: str) -> Path:
    """The path of ``binary`` from ``package@version``: the cached install, else installed
    now (running the package's ``install.cjs`` where it places a native binary)."""
    cache = Path(
        os.environ.get(
            folder_variable,
            Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
            / "translate-tests"
            / f"{package.rsplit('/', 1)[-1]}-{version}",
        )
    )
    path = cache / "node_modules" / ".bin" / binary
    if path.exists() and _works(path, version):
        return path
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.skip(f"npm and node are not installed: {package} cannot be installed")
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(cache), f"{package}@{version}"],
        check=True,
        capture_output=True,
        timeout=600,
    )
    folder = cache / "node_modules" / package
    if (folder / "install.cjs").exists():
        subprocess.run(
            [node, "install.cjs"], cwd=folder, check=True, capture_output=True, timeout=600
        )
    if not _works(path, version):
        pytest.fail(f"{package} {version} installed but {path} does not run")
    return path


def _works(binary: Path, version: str) -> bool:
    try:
        out = subprocess.run(
            [str(binary), "--version"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and version in out.stdout.decode(errors="replace")
