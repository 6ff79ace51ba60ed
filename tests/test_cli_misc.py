"""`meishi config`, `templates`, `demo` and `--help`; and bad input across every command."""

import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

import meishi.cli
from helpers import (
    ME_NAME,
    add_event,
    add_person,
    describe,
    error_of,
    fails,
    home,
    json_of,
    ok,
    run,
    set_me,
    snapshot,
)

REPO = Path(__file__).resolve().parents[1]

# --- config --------------------------------------------------------------------------------


def test_config_set_get_list_unset() -> None:
    assert ok("config", "set", "me.name", "  山田 花子 ").stdout.strip() == "me.name = 山田 花子"
    ok("config", "set", "me.email", "Hanako@Example.JP")
    assert ok("config", "get", "me.name").stdout == "山田 花子\n"
    assert ok("config", "get", "me.email").stdout == "Hanako@example.jp\n"
    listed = json_of(ok("config", "list", "--json"))
    me = {key: value for key, value in listed.items() if key.startswith("me.")}
    assert me == {
        "me.name": "山田 花子",
        "me.email": "Hanako@example.jp",
        "me.company": None,
        "me.title": None,
        "me.signature": None,
        "me.name_en": None,
        "me.company_en": None,
        "me.title_en": None,
        "me.signature_en": None,
    }
    text = ok("config", "list").stdout
    assert text.splitlines()[0] == f"# {home() / 'config.toml'}"
    assert "me.name = 山田 花子    # " in text
    assert "me.company = (not set)" in text

    assert ok("config", "unset", "me.email").stdout.strip() == "me.email removed"
    assert ok("config", "unset", "me.email").stdout.strip() == "me.email was not set"
    result = run("config", "get", "me.email")
    assert (result.exit_code, result.stderr.strip()) == (1, "me.email is not set")
    assert json_of(ok("config", "list", "--json"))["me.email"] is None


def test_config_file_is_private() -> None:
    ok("config", "set", "me.name", ME_NAME)
    path = home() / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(home().stat().st_mode) == 0o700
    ok("config", "set", "me.company", "株式会社サンプル")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_config_signature_takes_typed_line_breaks() -> None:
    ok("config", "set", "me.signature", r"山田 花子\n株式会社サンプル")
    assert ok("config", "get", "me.signature").stdout == "山田 花子\n株式会社サンプル\n"
    assert r"me.signature = 山田 花子\n株式会社サンプル" in ok("config", "list").stdout


def test_config_unknown_key() -> None:
    for command in (("set", "me.nickname", "x"), ("get", "me.nickname"), ("unset", "me.nickname")):
        message = error_of(fails("config", *command))
        assert message.startswith("unknown setting 'me.nickname'; known settings: me.name")
    assert not (home() / "config.toml").exists()


def test_config_invalid_email() -> None:
    assert "invalid email 'hanako'" in error_of(fails("config", "set", "me.email", "hanako"))
    assert not (home() / "config.toml").exists()


@pytest.mark.parametrize("value", ["山田\n花子", "山田\r花子", "Yamada\r\nBcc: x@evil.example"])
def test_config_name_with_line_break_is_refused(value: str) -> None:
    set_me()
    before = snapshot()
    assert "me.name contains a line break" in error_of(fails("config", "set", "me.name", value))
    assert snapshot() == before


def test_config_name_with_typed_line_break_is_refused() -> None:
    set_me()
    before = snapshot()
    fails("config", "set", "me.name", r"Yamada\nBcc: x@evil.example")
    assert snapshot() == before


def test_config_invalid_toml_is_reported() -> None:
    home().mkdir(parents=True)
    (home() / "config.toml").write_text("me = [", encoding="utf-8")
    assert "is not valid TOML" in error_of(fails("config", "get", "me.name"))


# --- templates --------------------------------------------------------------------------------


def test_templates_list_and_show() -> None:
    listed = json_of(ok("templates", "list", "--json"))
    names = ["apology-en", "apology-ja", "notice-en", "notice-ja", "thank-en", "thank-ja"]
    assert [(t["name"], t["origin"]) for t in listed] == [(name, "bundled") for name in names]
    text = ok("templates", "list")
    assert [line.split("\t")[0] for line in text.stdout.splitlines()] == names
    assert str(home() / "templates") in text.stderr
    source = ok("templates", "show", "thank-ja").stdout
    assert source.startswith("Subject: 【御礼】")
    assert source == Path(listed[5]["path"]).read_text(encoding="utf-8")
    assert ok("templates", "show", "thank-en.j2").stdout.startswith("Subject: Great meeting you")


def test_templates_list_shows_user_templates() -> None:
    folder = home() / "templates"
    folder.mkdir(parents=True)
    (folder / "thank-en.j2").write_text("Subject: Hi\n\nHi\n", encoding="utf-8")
    (folder / "mine.j2").write_text("Subject: Mine\n\nMine\n", encoding="utf-8")
    listed = {t["name"]: t["origin"] for t in json_of(ok("templates", "list", "--json"))}
    assert listed == {
        "apology-en": "bundled",
        "apology-ja": "bundled",
        "mine": "user",
        "notice-en": "bundled",
        "notice-ja": "bundled",
        "thank-en": "user",
        "thank-ja": "bundled",
    }
    assert ok("templates", "show", "thank-en").stdout == "Subject: Hi\n\nHi\n"


def test_templates_show_unknown() -> None:
    message = error_of(fails("templates", "show", "thank-fr"))
    assert message == (
        "unknown template 'thank-fr'; available: "
        "apology-en, apology-ja, notice-en, notice-ja, thank-en, thank-ja"
    )


# --- demo -------------------------------------------------------------------------------------


def test_demo_shows_drafts_and_all_four_verdicts_without_touching_home() -> None:
    result = ok("demo")
    text = result.stdout
    assert text.count("To: ") == 3
    assert "To: 田中 太郎 <taro.tanaka@example.co.jp>" in text
    assert "Skipped 高橋 美咲" in text
    for verdict, series in (
        ("return", "Tokyo AI 勉強会"),
        ("skip", "丸の内 異業種交流会"),
        ("wait", "Startup Pitch Night"),
        ("unknown", "Design Systems Meetup"),
    ):
        assert re.search(rf"^{verdict}: .* — {re.escape(series)}$", text, re.MULTILINE), verdict
    assert not (home() / "meishi.db").exists()
    assert not (home() / "config.toml").exists()


def test_demo_leaves_an_existing_home_as_it_was() -> None:
    set_me("Someone Else", "else@example.com")
    add_event("Mine", -1)
    before = snapshot()
    ok("demo")
    assert snapshot() == before
    assert [e["name"] for e in json_of(ok("event", "list", "--json"))] == ["Mine"]


# A server no test can reach: connecting to it at all would fail the demo.
UNREACHABLE = "postgresql://nobody@/meishi?host=/nonexistent-meishi-socket-dir"
ON_A_SERVER = "The demo runs on a throwaway local store; your server database is not touched."


def test_demo_with_a_server_url_set_says_so_and_never_connects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MEISHI_DATABASE_URL", UNREACHABLE)
    text = ok("demo").stdout
    assert text.splitlines()[0] == ON_A_SERVER
    assert "To: 田中 太郎 <taro.tanaka@example.co.jp>" in text
    assert not (home() / "meishi.db").exists()


def test_demo_with_a_server_in_the_settings_says_so_and_never_connects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MEISHI_DATABASE_URL", raising=False)
    ok("config", "set", "database.url", UNREACHABLE)
    before = snapshot()
    text = ok("demo").stdout
    assert text.splitlines()[0] == ON_A_SERVER
    assert snapshot() == before


def test_demo_on_the_local_file_says_nothing_of_a_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEISHI_DATABASE_URL", raising=False)
    assert ON_A_SERVER not in ok("demo").stdout


# --- help -------------------------------------------------------------------------------------


def walk(command: typer.core.TyperCommand, path: tuple[str, ...] = ()) -> Iterator:
    """Every command under this one, with the words that invoke it."""
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from walk(sub, (*path, name))


COMMANDS = list(walk(typer.main.get_command(meishi.cli.app)))
LEAVES = [" ".join(path) for path, command in COMMANDS if not hasattr(command, "commands")]


def test_the_walk_finds_every_command() -> None:
    # Guards the help tests below against walking an empty tree; new commands may be added.
    assert set(LEAVES) >= {
        "add",
        "config get",
        "config list",
        "config set",
        "config unset",
        "contacts list",
        "contacts show",
        "demo",
        "event add",
        "event list",
        "event show",
        "followup record",
        "followup delete",
        "contacts edit",
        "contacts delete",
        "event delete",
        "should-return",
        "templates list",
        "templates show",
        "thank",
    }


@pytest.mark.parametrize(
    ("path", "command"),
    [pytest.param(path, command, id=" ".join(path) or "meishi") for path, command in COMMANDS],
)
def test_every_command_has_help(path: tuple[str, ...], command: typer.core.TyperCommand) -> None:
    assert (command.help or "").strip(), path
    for param in command.params:
        if param.name != "help":
            assert (getattr(param, "help", None) or "").strip(), (path, param.name)
    result = run(*path, "--help")
    assert result.exit_code == 0, describe(result)
    assert "Usage:" in result.stdout
    assert command.help.strip().splitlines()[0][:30] in " ".join(result.stdout.split())
    assert not (home() / "meishi.db").exists()


@pytest.mark.parametrize("name", LEAVES)
def test_every_command_is_in_the_usage_doc(name: str) -> None:
    usage = (REPO / "docs" / "usage.md").read_text(encoding="utf-8")
    assert re.search(rf"(?:meishi\s+|`){re.escape(name)}(?![\w-])", usage), name


# --- bad input leaves everything as it was -------------------------------------------------


@pytest.fixture
def store() -> None:
    """Two events of a series, two contacts sharing a family name, and me.name set."""
    set_me()
    add_event("AI勉強会 #1", -8, "--series", "AI勉強会")
    add_event("AI勉強会 #2", -1, "--series", "AI勉強会")
    add_person("AI勉強会 #2", "田中 太郎", "--email", "taro@example.jp", "--topic", "RAG")
    add_person("AI勉強会 #2", "田中 花子", "--email", "hanako.t@example.jp")


BAD_COMMANDS = {
    "unknown event": ["event", "show", "Gala"],
    "ambiguous event": ["event", "show", "AI"],
    "add at unknown event": ["add", "--event", "Gala", "--name", "X"],
    "add at ambiguous event": ["add", "--event", "AI", "--name", "X"],
    "add invalid email": ["add", "--name", "X", "--email", "x@"],
    "add second invalid email": ["add", "--name", "X", "--email", "x@ok.example", "--email", "no"],
    "add invalid lang": ["add", "--name", "X", "--lang", "fr"],
    "add empty name": ["add", "--name", "  "],
    "add CRLF in company": ["add", "--name", "X", "--company", "A\r\nBcc: e@evil.example"],
    "add LF in title": ["add", "--name", "X", "--title", "A\nB"],
    "add tab in reading": ["add", "--name", "X", "--reading", "a\tb"],
    "add without name": ["add"],
    "event bad date": ["event", "add", "X", "--date", "someday"],
    "event impossible date": ["event", "add", "X", "--date", "2025-13-01"],
    "event bad time": ["event", "add", "X", "--date", "yesterday", "--time", "25:00"],
    "event negative fee": ["event", "add", "X", "--date", "yesterday", "--fee", "-1"],
    "event bad organizer email": [
        "event",
        "add",
        "X",
        "--date",
        "yesterday",
        "--organizer-email",
        "sato",
    ],
    "event empty name": ["event", "add", " ", "--date", "yesterday"],
    "followup unknown event": ["followup", "Gala", "thanks"],
    "followup ambiguous event": ["followup", "AI", "thanks"],
    "followup unknown kind": ["followup", "AI勉強会 #2", "newsletter"],
    "followup before event": ["followup", "AI勉強会 #2", "thanks", "--date", "3 days ago"],
    "followup in future": ["followup", "AI勉強会 #2", "thanks", "--date", "tomorrow"],
    "followup bad date": ["followup", "AI勉強会 #2", "thanks", "--date", "soon"],
    "thank unknown template": ["thank", "--template", "thank-fr"],
    "thank unknown event": ["thank", "--event", "Gala"],
    "thank bad since": ["thank", "--since", "someday"],
    "thank out is a file": ["thank", "--out", "{home}/config.toml"],
    "mark-sent unknown contact": ["thank", "--mark-sent", "Nobody"],
    "mark-sent ambiguous contact": ["thank", "--mark-sent", "田中"],
    "mark-sent unknown event": ["thank", "--mark-sent", "田中 太郎", "--event", "Gala"],
    "mark-sent not met there": ["thank", "--mark-sent", "田中 太郎", "--event", "AI勉強会 #1"],
    "contacts unknown": ["contacts", "show", "Nobody"],
    "contacts unknown email": ["contacts", "show", "nobody@example.jp"],
    "contacts ambiguous": ["contacts", "show", "田中"],
    "contacts list unknown event": ["contacts", "list", "--event", "Gala"],
    "should-return unknown": ["should-return", "Chess Club"],
    "config unknown key": ["config", "set", "me.nick", "x"],
    "config invalid email": ["config", "set", "me.email", "hanako"],
    "config name with LF": ["config", "set", "me.name", "A\nB"],
    "templates unknown": ["templates", "show", "thank-fr"],
    # A raw value with a line break is echoed escaped, so the message stays one line.
    "event name with LF": ["event", "add", "Gala\nBcc: x@evil.example", "--date", "yesterday"],
    "contact name with LF": ["add", "--name", "X\nBcc: x@evil.example"],
    "contact name with CRLF": ["add", "--name", "X\r\nBcc: x@evil.example"],
    "unknown contact with LF": ["contacts", "show", "No\nbody"],
}


@pytest.mark.usefixtures("store")
@pytest.mark.parametrize(
    "argv",
    [pytest.param(argv, id=name) for name, argv in BAD_COMMANDS.items()],
)
def test_bad_input_is_refused_in_one_line_and_changes_nothing(argv: list[str]) -> None:
    before = snapshot()
    assert before[0] is not None and before[1] is not None
    result = run(*(arg.replace("{home}", str(home())) for arg in argv))
    assert result.exit_code == 2, describe(result)
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), describe(result)
    assert snapshot() == before
    lines = result.stderr.splitlines()
    assert len(lines) == 1, describe(result)
    assert lines[0].startswith("meishi: ")
