"""The rooms of the code keep their shape: imports go one way, files and commands stay small.

docs/architecture.md describes the layout these tests hold the code to.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "engage_cli"

# Each module's layer: a module may import its own layer and those below, never above.
LAYERS: dict[str, int] = {
    "errors": 0,
    "ids": 0,
    "paths": 0,
    "jsonout": 0,
    "scoring": 0,
    "questions": 0,
    "terminal": 0,
    "domain": 1,
    "dates": 1,
    "inputs": 1,
    "policy": 1,
    "models": 2,
    "config": 2,
    "config_file": 2,
    "formats": 3,
    "store": 4,
    "reports": 5,
    "render": 5,
    "demo": 5,
    "commands": 6,
    "launch": 7,
    "__main__": 7,
    "__init__": 0,
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _layer(module: str) -> int:
    return LAYERS[module.split(".")[0]]


def _imports(path: Path) -> set[str]:
    """Every engage_cli module `path` imports, at any depth of its code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name.startswith("engage_cli."):
                short = name.removeprefix("engage_cli.")
                if short in MODULES:
                    found.add(short)
            elif name == "engage_cli":
                continue
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "engage_cli"
            and any(a.name in MODULES for a in node.names)
        ):
            found |= {a.name for a in node.names if a.name in MODULES}
    return found


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def test_the_layout_is_the_documented_one() -> None:
    for room in ("commands", "store", "reports", "render", "formats"):
        assert (PACKAGE / room / "__init__.py").is_file(), room
    assert not (PACKAGE / "cli.py").exists() and not (PACKAGE / "ledger.py").exists()
    assert {m.split(".")[0] for m in MODULES} <= set(LAYERS), "a new module needs a layer"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_go_downward(module: str) -> None:
    upward = sorted(m for m in GRAPH[module] if _layer(m) > _layer(module))
    assert not upward, f"{module} imports {upward} from a higher layer"


def test_no_import_circle() -> None:
    # Depth-first search for a back edge; packages count as the modules they are.
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(GRAPH[node]):
            if nxt == node or nxt == node.rsplit(".", 1)[0]:
                continue  # a module naming its own package (a relative anchor), not a cycle
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                raise AssertionError("import circle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_source_file_over_500_lines(module: str) -> None:
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= 500, f"{module} has {lines} lines"


def test_no_command_function_over_60_lines() -> None:
    long = []
    for name, path in MODULES.items():
        if not name.startswith("commands."):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                start = min([d.lineno for d in node.decorator_list] + [node.lineno])
                size = node.end_lineno - start + 1
                if size > 60:
                    long.append(f"{name}.{node.name}: {size} lines")
    assert not long, long


def _source(room: str) -> dict[str, str]:
    return {name: MODULES[name].read_text() for name in MODULES if name.startswith(room + ".")}


def test_the_store_never_words_command_line_text() -> None:
    for name, text in _source("store").items():
        assert "engage " not in text, f"{name} names a command; commands/messages.py words it"
        assert "--" not in text.replace("-- ", ""), f"{name} names an option"


def test_sql_lives_in_the_store_only() -> None:
    for room in ("commands", "reports", "render", "formats"):
        for name, text in _source(room).items():
            for keyword in ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM", "PRAGMA "):
                assert keyword not in text, f"{name} holds SQL ({keyword.strip()})"


def test_commands_build_no_json_by_hand() -> None:
    for name, text in _source("commands").items():
        assert "json.dumps" not in text, name
        if name != "commands.root":
            assert "emit_json" not in text, f"{name}: print reports with app.show"


def test_views_and_formats_stay_out_of_the_store_and_reports() -> None:
    heavy_views = ("typer", "rich", "click")
    for room in ("store", "reports", "formats"):
        for name, path in MODULES.items():
            if not name.startswith(room + "."):
                continue
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    mods = (
                        [a.name for a in node.names]
                        if isinstance(node, ast.Import)
                        else [node.module or ""]
                    )
                    for mod in mods:
                        assert mod.split(".")[0] not in heavy_views, f"{name} imports {mod}"


def test_every_command_belongs_to_the_moment_the_launcher_loads_for_it() -> None:
    """The launcher imports only `moment_of(name)`: a command elsewhere would not be found."""
    import importlib

    from typer.main import get_command_name

    from engage_cli.commands import MOMENTS, app

    names = {
        c.name or get_command_name(getattr(c.callback, "__name__", ""))
        for c in app.registered_commands
    } | {g.typer_instance.info.name for g in app.registered_groups if g.typer_instance}
    listed = {n for group in MOMENTS.values() for n in group}
    assert names == listed
    for moment, commands in MOMENTS.items():
        module = importlib.import_module(f"engage_cli.commands.{moment}")
        text = Path(module.__file__ or "").read_text()
        for name in commands:
            assert f'"{name}"' in text or f"def {name.replace('-', '_')}(" in text, (moment, name)
