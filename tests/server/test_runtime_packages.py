"""What the wheel ships is runtime code only: the developer tools (benchmarks, soak, the provider
recorder, the planner's fitter and evaluator) live in `tests/tools/` (issue 12, item 1).

Offline and without a build backend: the wheel's contents are the packages its hatch config names,
so the test holds that config to the two runtime packages and walks their source for tool modules
and for imports of `tests` (which an installed wheel does not have)."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_PACKAGES = ("reference_server", "conformance")
TOOL_NAME = re.compile(r"bench|soak|evaluat|record_provider|(^|_)fit($|_)|(^|_)formats$")


def _runtime_modules() -> list[Path]:
    return sorted(p for pkg in RUNTIME_PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def test_the_wheel_ships_only_the_runtime_packages() -> None:
    hatch = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["hatch"]
    wheel = hatch["build"]["targets"]["wheel"]
    assert wheel["packages"] == list(RUNTIME_PACKAGES)
    assert set(wheel) <= {"packages", "force-include"}, (
        "only-include/include/sources would change the contents"
    )
    sources = list(wheel.get("force-include", {}))
    assert sources, "spec/ and the request corpus are bundled"
    assert not [s for s in sources if s.split("/")[0] == "tests"]


def test_no_developer_tool_in_the_runtime_packages() -> None:
    tools = [p.relative_to(ROOT) for p in _runtime_modules() if TOOL_NAME.search(p.stem)]
    assert not tools, f"developer tools belong in tests/tools/, not in the wheel: {tools}"


def test_the_tools_are_where_the_nox_sessions_run_them() -> None:
    names = {p.stem for p in (ROOT / "tests" / "tools").glob("*.py")} - {"__init__"}
    noxfile = (ROOT / "noxfile.py").read_text("utf-8")
    run_by_nox = set(re.findall(r'"tests\.tools\.(\w+)"', noxfile))
    assert run_by_nox, "the nox sessions name their tools as tests.tools.<name>"
    assert run_by_nox <= names
    assert not re.search(
        r"reference_server\.(planner\.)?_(bench|soak|fit|evaluate)|conformance\._\w*bench", noxfile
    )


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_runtime_code_never_imports_from_tests() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(m for m in _imports(p) if m == "tests" or m.startswith("tests."))
        for p in _runtime_modules()
    }
    assert not {k: v for k, v in offenders.items() if v}, "an installed wheel has no tests package"
