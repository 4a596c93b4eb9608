"""What importing costs: the library needs msgspec alone; the gateway's HTTP client and
server are imported when a gateway is built or served, not with the modules."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


def test_the_library_and_the_gateway_module_import_no_http_stack() -> None:
    loaded = _modules_after("import translate, translate.gateway, translate.cli")
    assert "translate.gateway" in loaded
    assert not {"httpx2", "uvicorn", "httpcore2", "anyio"} & loaded


def test_building_a_gateway_imports_its_own_http_client_and_no_other() -> None:
    # The gateway speaks HTTP/1.1 to the upstream itself (translate/_upstream.py); httpx2 is
    # for upstreams behind a proxy only.
    loaded = _modules_after(
        "from translate.gateway import Gateway; Gateway('http://127.0.0.1:9', 'openai')"
    )
    assert "translate._upstream" in loaded
    assert "httpx2" not in loaded
