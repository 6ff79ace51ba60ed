"""The package's shape: thin commands, empty package files, and who may talk to what."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "meishi"
# Not held to the rule: the root, the command app (it registers the commands), and the
# migrations package, which Alembic needs to hold its environment.
NOT_EMPTY = ("meishi", "meishi.cli", "meishi.migrations")
ONLY_IN = {  # a library, and the modules that may import it
    "sqlite3": ("meishi.store", "meishi.migrations"),
    "psycopg": ("meishi.store",),
    "alembic": ("meishi.store", "meishi.migrations"),
    "smtplib": ("meishi.mail",),
    "imaplib": ("meishi.mail",),
    "imapclient": ("meishi.mail",),
}


def module_name(path: Path) -> str:
    """The dotted name of a module file under src/."""
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "versions" not in p.parts}
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


def typing_only(tree: ast.Module) -> set[ast.AST]:
    """The import statements under `if TYPE_CHECKING:`, which never run."""
    blocks = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    ]
    return {inner for block in blocks for statement in block.body for inner in ast.walk(statement)}


def imports(name: str) -> list[tuple[str, int]]:
    """Every module this one imports (module and function level), with the line."""
    found = []
    skipped = typing_only(TREES[name])
    for node in ast.walk(TREES[name]):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                dotted = f"{node.module}.{alias.name}"
                found.append((dotted if dotted in MODULES else node.module, node.lineno))
    return found


def internal(target: str) -> str | None:
    """The meishi module an import names, or None for another library."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def graph() -> dict[str, set[str]]:
    """Edges between meishi modules; importing a.b.c also runs the package a.b."""
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name in MODULES:
        for target, _ in imports(name):
            module = internal(target)
            while module and module != "meishi":
                if module != name and not name.startswith(module + "."):
                    edges[name].add(module)
                module = module.rpartition(".")[0]
    return edges


def cycles() -> list[list[str]]:
    """Import cycles, function-level imports included (they run too, only later)."""
    edges, found, state = graph(), [], dict.fromkeys(MODULES, 0)

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for after in sorted(edges[node]):
            if state[after] == 1:
                found.append([*path[path.index(after) :], after])
            elif state[after] == 0:
                visit(after, [*path, after])
        state[node] = 2

    for start in MODULES:
        if state[start] == 0:
            visit(start, [start])
    return found


def test_no_import_cycles() -> None:
    assert cycles() == []


def test_commands_import_no_other_command_module_but_common() -> None:
    found = [
        (name, target, line)
        for name in MODULES
        if name.startswith("meishi.cli.")
        for target, line in imports(name)
        if target.startswith("meishi.cli") and internal(target) != "meishi.cli.common"
    ]
    assert found == []


@pytest.mark.parametrize("library", sorted(ONLY_IN))
def test_only_the_store_and_mail_talk_to_databases_and_mail_servers(library: str) -> None:
    users = [n for n in MODULES for t, _ in imports(n) if t.split(".")[0] == library]
    assert [n for n in users if not n.startswith(ONLY_IN[library])] == []


@pytest.mark.parametrize(
    "name", [n for n, p in MODULES.items() if p.name == "__init__.py" and n not in NOT_EMPTY]
)
def test_subpackage_init_files_hold_only_a_docstring(name: str) -> None:
    body = TREES[name].body
    assert len(body) == 1 and isinstance(body[0], ast.Expr), "imports here would run on every use"


# Who may read the clock, the environment or meishi's home: the edge that builds a run.
EDGE = ("meishi.cli", "meishi.home", "meishi.run", "meishi.models")  # models: default stamps
CLOCK = {
    "datetime.now",
    "dt.datetime.now",
    "date.today",
    "dt.date.today",
    "time.time",
    "time.monotonic",
    "utcnow",
    "os.getenv",
}


def reads_of_the_outside(name: str) -> set[str]:
    """The clock calls, environment reads and home imports in a module."""
    found = {
        ast.unparse(node.func)
        for node in ast.walk(TREES[name])
        if isinstance(node, ast.Call) and ast.unparse(node.func) in CLOCK
    }
    found |= {
        "os.environ"
        for node in ast.walk(TREES[name])
        if isinstance(node, ast.Attribute) and ast.unparse(node) == "os.environ"
    }
    return found | {"meishi.home" for t, _ in imports(name) if internal(t) == "meishi.home"}


@pytest.mark.parametrize("name", [n for n in MODULES if not n.startswith(EDGE)])
def test_domain_modules_read_no_clock_environment_or_home(name: str) -> None:
    assert reads_of_the_outside(name) == set()


# Modules that decide and leave every query to store/ (issue 16: one data layer): the ORM's
# types may be named under TYPE_CHECKING, and a session passed on, added to and deleted
# from (add, delete and flush are its unit of work: fine).
QUERY_FREE = (
    "meishi.deleting",
    "meishi.merge",
    "meishi.formats.json_dump",
    "meishi.exporting",
    "meishi.positions",
    "meishi.attendance.changes",
    "meishi.cards.images",
    "meishi.importing",
    "meishi.syncing",
    "meishi.organizer_follow_ups",
    "meishi.mail_follow_ups",
    "meishi.mail.outbox",
    "meishi.mail.sending",
    "meishi.mail.keychain",
    "meishi.drafts.box",
    "meishi.drafts.review",
    "meishi.drafts.pushing",
    "meishi.drafts.finish",
    "meishi.followups.classify",
    "meishi.formats.registry",
    "meishi.formats.csvfile",
    "meishi.formats.vcard",
    "meishi.thank_yous",
    "meishi.contacts",
    "meishi.events",
    "meishi.attendance.owed",
    "meishi.apologies",
)
QUERYING = {"exec", "execute", "get", "query", "scalar", "scalars"}  # a session's queries


def queries_in(name: str) -> list[str]:
    """The database libraries a module imports, and the queries it runs on a session."""
    found = [t for t, _ in imports(name) if t.split(".")[0] in ("sqlmodel", "sqlalchemy")]
    return found + [
        ast.unparse(node.func)
        for node in ast.walk(TREES[name])
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in QUERYING
        and ast.unparse(node.func.value).endswith("session")
    ]


@pytest.mark.parametrize("name", QUERY_FREE)
def test_modules_leave_their_queries_to_the_store(name: str) -> None:
    assert queries_in(name) == []
