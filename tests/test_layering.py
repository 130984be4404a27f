"""The architecture holds: each package imports only the layers below it (README, How it works).

Read from the source with ``ast``, so a new import that crosses a layer fails here, named, before
a reader has to find it. Each package's ``__init__`` docstring says the same in words.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What each part of ``bot`` may import from ``bot``, besides itself.
BOT_LAYERS: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "language": frozenset(),
    "config": frozenset({"errors"}),
    "domain": frozenset({"errors"}),
    "observability": frozenset({"domain", "errors"}),
    "store": frozenset({"domain", "errors", "config"}),
    "chatsight": frozenset({"domain", "errors", "config", "observability"}),
    "sessions": frozenset({"chatsight", "store", "domain", "errors", "config", "observability"}),
    "webhook": frozenset({"sessions", "store", "domain", "errors", "config", "observability"}),
    "server": frozenset(
        {"sessions", "chatsight", "store", "domain", "errors", "config", "observability"}
    ),
    "rendering": frozenset({"language", "domain", "errors"}),
    "delivery": frozenset(
        {
            "server",
            "rendering",
            "language",
            "sessions",
            "store",
            "domain",
            "errors",
            "config",
            "observability",
        }
    ),
}
APP_MAY_IMPORT = frozenset(BOT_LAYERS) | {"app"}

# Libraries a layer must not touch: the store and the rules know no HTTP and no Discord.
FORBIDDEN_LIBRARIES: dict[str, frozenset[str]] = {
    "domain": frozenset({"aiohttp", "discord", "aiosqlite", "asyncpg", "streamlink"}),
    "language": frozenset({"aiohttp", "discord", "aiosqlite", "asyncpg", "streamlink"}),
    "store": frozenset({"aiohttp", "discord", "streamlink"}),
    "chatsight": frozenset({"discord"}),
    "sessions": frozenset({"discord"}),
    "webhook": frozenset({"discord"}),
    "server": frozenset({"discord", "aiohttp", "streamlink"}),
    "rendering": frozenset({"aiohttp"}),
    "observability": frozenset({"discord", "aiosqlite", "asyncpg", "streamlink"}),
}


@dataclass(frozen=True)
class Import:
    module: str  # importing module, dotted
    target: str  # imported module, dotted
    in_function: bool
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = _module_name(path)
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend(Import(module, a.name, inner, child.lineno) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append(Import(module, child.module, inner, child.lineno))
            visit(child, inner)

    visit(tree, False)
    return found


def _all_imports(package: str) -> list[Import]:
    return [i for path in sorted((ROOT / package).rglob("*.py")) for i in _imports(path)]


def _layer(dotted: str) -> str:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else ""


def _bot_layer_breaches() -> list[str]:
    breaches = []
    for i in _all_imports("bot"):
        source, top = _layer(i.module), i.target.split(".")[0]
        if top in ("cogs", "standins"):
            allowed = (
                i.module == "bot.app.cli"
                and i.in_function
                and i.target.startswith("standins.chatsight")
            )
            if not allowed:
                breaches.append(f"{i.module}:{i.line} imports {i.target}")
            continue
        if top == "bot":
            target = _layer(i.target)
            may = APP_MAY_IMPORT if source == "app" else BOT_LAYERS.get(source, frozenset())
            if target != source and target not in may:
                breaches.append(f"{i.module}:{i.line} ({source}) imports {i.target} ({target})")
        elif top in FORBIDDEN_LIBRARIES.get(source, frozenset()):
            breaches.append(f"{i.module}:{i.line} ({source}) imports the library {i.target}")
    return breaches


def test_every_bot_package_is_in_the_layer_table() -> None:
    packages = {p.name for p in (ROOT / "bot").iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in (ROOT / "bot").glob("*.py") if p.stem != "__init__"}
    assert packages | modules == set(BOT_LAYERS) | {"app"}


def test_bot_imports_only_the_layers_below() -> None:
    assert _bot_layer_breaches() == []


def test_no_package_is_named_after_the_discord_library() -> None:
    assert not (ROOT / "bot" / "discord").exists()


@pytest.mark.parametrize("package", ["standins"])
def test_the_stand_ins_import_nothing_from_the_bot(package: str) -> None:
    """A stand-in that borrowed the bot's code would agree with the bot's mistakes."""
    breaches = [
        f"{i.module}:{i.line} imports {i.target}"
        for i in _all_imports(package)
        if i.target.split(".")[0] in ("bot", "cogs")
    ]
    assert breaches == []


def test_cogs_import_no_stand_in() -> None:
    assert [i.target for i in _all_imports("cogs") if i.target.startswith("standins")] == []


def test_every_package_says_what_it_owns_and_may_import() -> None:
    """In the words of the layer table: a docstring naming fewer or more of ``bot`` than the
    table allows misleads whoever reads it before adding an import."""
    for init in sorted((ROOT / "bot").glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "May import" in doc, f"{init.relative_to(ROOT)} does not say what it may import"
        package = init.parent.name
        if package != "app":  # the app may import every package, and says so
            said = re.findall(r"``bot\.([a-z_]+)``", doc.split("May import", 1)[1])
            assert set(said) == BOT_LAYERS[package], f"bot/{package}/__init__.py: {said}"


def test_loading_the_store_and_the_domain_loads_no_http_and_no_discord() -> None:
    """Held at run time too: an import the AST cannot see (a plugin, a re-export) still counts."""
    probe = (
        "import sys, bot.store, bot.domain.records, bot.store.interface;"
        "print(sorted(m for m in ('aiohttp', 'discord', 'streamlink') if m in sys.modules))"
    )
    loaded = subprocess.run(  # noqa: S603 - our own interpreter and a literal probe
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


# Spelled in two halves, so this file does not cite them itself.
OUTSIDE_MARKERS = ("../" + "shared/", "shared/" + "perf-notes", "shared/" + "discord-notes")


def test_the_code_cites_only_documents_in_the_repository() -> None:
    """A citation a reader cannot open is no citation: what the code relies on is in docs/."""
    outside = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("bot", "cogs", "standins", "bench", "demo", "tests")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(marker in line for marker in OUTSIDE_MARKERS)
    ]
    assert outside == []
