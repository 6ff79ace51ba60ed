"""Draft templates: find them, render them in a sandbox, then wrap the text (wrapping.py)."""

import re
import traceback
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.utils import missing

from meishi.card_fields import LANGUAGES
from meishi.drafts import sandbox
from meishi.drafts.wrapping import department_lines, wrap_body
from meishi.errors import BadValue, NotFound, TemplateProblem

TEMPLATE_SUFFIX = ".j2"
# A note mentions at most this many topics; more reads like a list, not a letter.
TOPICS_MENTIONED = 2
# A reason ending in one of these is a verb or an adjective (入った, 忙しい): ため, not のため.
_CONJUGATED_ENDINGS = tuple("たただるうくすつぬむぶぐい")
# What people type after a topic that the sentence around it already says.
TOPIC_ENDINGS = ("についてのお話", "についての話", "について", "のお話", "の話", "の件")
# A template file is "Subject: ..." and a blank line, so its body starts on line 3.
_BODY_FIRST_LINE = 3
# Jinja names templates made from strings like this; tracebacks use it for template frames.
_JINJA_FILENAME = "<template>"

_JAPANESE = re.compile(
    "[\u3040-\u30ff"  # hiragana, katakana
    "\u31f0-\u31ff"  # katakana phonetic extensions
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\uff66-\uff9f]"  # half-width katakana
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# A user's template is code the user wrote: these are its mistakes, not meishi's
# (a macro calling itself for ever among them).
_TEMPLATE_FAILURES = (
    jinja2.TemplateError,
    ArithmeticError,
    AttributeError,
    LookupError,
    RecursionError,
    TypeError,
    ValueError,
)


@dataclass(frozen=True)
class TemplateInfo:
    """A template file and where it comes from ("bundled" or "user")."""

    name: str
    origin: str
    path: Path


@dataclass(frozen=True)
class RenderedDraft:
    """A rendered note: a one-line subject and a wrapped body."""

    subject: str
    body: str


def bundled_templates_dir() -> Path:
    """The folder of templates shipped with meishi (wheel or source checkout)."""
    installed = Path(__file__).parents[1] / "templates"  # meishi/templates in a wheel
    return installed if installed.is_dir() else Path(__file__).parents[3] / "templates"


def list_templates(user_dir: Path) -> list[TemplateInfo]:
    """Every template, sorted by name; a user template replaces a bundled one of its name."""
    found = {info.name: info for info in _templates_in(bundled_templates_dir(), "bundled")}
    found.update((info.name, info) for info in _templates_in(user_dir, "user"))
    return [found[name] for name in sorted(found)]


def _templates_in(folder: Path, origin: str) -> list[TemplateInfo]:
    """The template files directly inside folder; none if it does not exist."""
    paths = folder.glob(f"*{TEMPLATE_SUFFIX}")
    return [TemplateInfo(path.stem, origin, path) for path in paths if path.is_file()]


def find_template(name: str, user_dir: Path) -> TemplateInfo:
    """The template called name (a trailing .j2 is allowed)."""
    wanted = name.removesuffix(TEMPLATE_SUFFIX)
    templates = list_templates(user_dir)
    for info in templates:
        if info.name == wanted:
            return info
    available = ", ".join(info.name for info in templates)
    raise NotFound(f"unknown template {name!r}; available: {available}")


def template_source(info: TemplateInfo) -> str:
    """The text of a template file."""
    try:
        # utf-8-sig: editors on Windows often save a byte-order mark.
        return info.path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateProblem(f"{_label(info)}: cannot read {info.path}: {exc}") from exc


def choose_language(lang: str | None, *texts: str | None) -> str:
    """The note's language: lang if given, else "ja" if any text is in Japanese, else "en"."""
    if lang:
        chosen = lang.strip().lower()
        if chosen not in LANGUAGES:
            raise BadValue(f"unknown language {lang!r}; use one of: {', '.join(LANGUAGES)}")
        return chosen
    return "ja" if any(text and _JAPANESE.search(text) for text in texts) else "en"


def render_draft(
    template_name: str, context: Mapping[str, Any], user_dir: Path, lang: str
) -> RenderedDraft:
    """Render a template with context into a subject and a body wrapped for lang."""
    info = find_template(template_name, user_dir)
    subject_source, body_source = _split_source(info, template_source(info))
    values = _template_values(context, lang)
    subject = _one_line(info, _render(info, subject_source, values, first_line=1))
    body = _render(info, body_source, values, first_line=_BODY_FIRST_LINE)
    return RenderedDraft(subject, wrap_body(body.rstrip("\n") + "\n", lang, keep=_names(context)))


def _names(value: object) -> Iterator[str]:
    """Every one-line text in a template context: the names and phrases a line keeps whole."""
    if isinstance(value, str):
        if "\n" not in value:
            yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _names(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _names(item)


def _label(info: TemplateInfo) -> str:
    """How messages name a template."""
    return f"template {info.name!r} ({info.origin})"


def _split_source(info: TemplateInfo, source: str) -> tuple[str, str]:
    """The subject line's template and the body's template."""
    first, _, rest = source.partition("\n")
    field, colon, subject = first.partition(":")
    if field.strip().lower() != "subject" or not colon:
        raise TemplateProblem(f"{_label(info)} line 1: must be 'Subject: ...'")
    blank, _, body = rest.partition("\n")
    if blank.strip():
        raise TemplateProblem(f"{_label(info)} line 2: must be blank, before the body")
    return subject, body


def _template_values(context: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The context as templates see it: dicts know their names, lang is the chosen one."""
    values = {
        key: _Record(key, value) if isinstance(value, Mapping) else value
        for key, value in context.items()
    }
    return {**values, "lang": lang}


def _render(info: TemplateInfo, source: str, values: dict[str, Any], first_line: int) -> str:
    """Render one part of a template; Jinja's errors become TemplateProblem."""
    try:
        return sandbox.render(_compiled(source), values)
    except _TEMPLATE_FAILURES as exc:
        raise TemplateProblem(_problem(info, exc, first_line)) from exc


@lru_cache(maxsize=32)
def _compiled(source: str) -> jinja2.Template:
    """A template part, compiled once: fifty thank-yous of one command share it (compiling
    was a third of `meishi thank`'s time). A part that does not compile is not kept."""
    return _environment().from_string(source)


def _problem(info: TemplateInfo, exc: Exception, first_line: int) -> str:
    """Say which template failed, on which line of its file if known, and why."""
    line = _error_line(exc)
    where = f" line {line + first_line - 1}" if line else ""
    if isinstance(exc, jinja2.TemplateError) and exc.message:
        return f"{_label(info)}{where}: {exc.message}"
    return f"{_label(info)}{where}: {type(exc).__name__}: {exc}"


def _error_line(exc: Exception) -> int | None:
    """The line of the rendered part an error points at, if Jinja recorded one."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.lineno
    # Jinja rewrites runtime tracebacks so template frames carry template line numbers.
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [frame.lineno for frame in frames if frame.filename == _JINJA_FILENAME]
    return lines[-1] if lines else None


def _one_line(info: TemplateInfo, rendered: str) -> str:
    """The rendered subject, stripped; it must be exactly one line."""
    subject = rendered.strip()
    if len(subject.splitlines()) != 1:
        raise TemplateProblem(f"{_label(info)}: the subject must be one line, not {subject!r}")
    return subject


class _Record(dict[str, Any]):
    """A context dict that knows its variable name, so errors can say 'contact'."""

    def __init__(self, variable: str, fields: Mapping[str, Any]) -> None:
        super().__init__(fields)
        # The underscore keeps it out of templates' reach: the sandbox refuses _names.
        self._variable = variable


class _NamingUndefined(jinja2.StrictUndefined):
    """StrictUndefined whose error names the context variable instead of 'dict object'."""

    __slots__ = ()

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = missing,
        name: str | None = None,
        exc: type[jinja2.TemplateRuntimeError] = jinja2.UndefinedError,
    ) -> None:
        if hint is None and isinstance(obj, _Record):
            hint = f"{obj._variable!r} has no attribute {name!r}"
        super().__init__(hint, obj, name, exc)


@cache
def _environment() -> sandbox.BoundedSandbox:
    """The one Jinja environment: sandboxed and bounded, strict about undefined names,
    no escaping."""
    env = sandbox.BoundedSandbox(
        undefined=_NamingUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        # Block tags on their own lines leave no blank lines behind.
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.add_filters(
        jdate=jdate,
        edate=edate,
        jtime=jtime,
        ja_join=ja_join,
        en_join=en_join,
        position_lines=position_lines,
        topic_phrases=topic_phrases,
        ja_because=ja_because,
    )
    return env


def jdate(day: date, year: bool = False) -> str:
    """A date in Japanese: 11月28日, or 2024年11月28日 with year=True."""
    text = f"{day.month}月{day.day}日"
    return f"{day.year}年{text}" if year else text


def edate(day: date, year: bool = False) -> str:
    """A date in English: November 28, or November 28, 2024 with year=True."""
    # Not strftime("%B"): that follows the locale, and this must be English.
    text = f"{_MONTHS[day.month - 1]} {day.day}"
    return f"{text}, {day.year}" if year else text


def jtime(hhmm: str) -> str:
    """A start time in Japanese: 19:00 → 19時, 19:30 → 19時30分; "" stays ""."""
    if not hhmm:
        return ""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return f"{hours}時{minutes}分" if minutes else f"{hours}時"


def topic_phrases(topics: Iterable[str], limit: int = TOPICS_MENTIONED) -> list[str]:
    """The first topics as phrases to quote: 「RAGの評価について」 → RAGの評価; 「」 → 『』."""
    return [_topic_phrase(topic) for topic in list(topics)[:limit]]


def _topic_phrase(topic: str) -> str:
    """One topic without a trailing について / の話 / のお話 / の件, or its own quotes."""
    text = topic.strip()
    for ending in TOPIC_ENDINGS:
        if text.endswith(ending) and len(text) > len(ending):
            text = text.removesuffix(ending)
            break
    if text.startswith("「") and text.endswith("」") and text.count("「") == 1:
        text = text[1:-1]
    return text.replace("「", "『").replace("」", "』")


def ja_because(reason: str) -> str:
    """A reason as the clause before what it caused: 体調不良 → 体調不良のため、,
    急用が入った → 急用が入ったため、; "" stays ""."""
    if not reason:
        return ""
    return f"{reason}ため、" if reason.endswith(_CONJUGATED_ENDINGS) else f"{reason}のため、"


def ja_join(items: Iterable[str]) -> str:
    """Items quoted the Japanese way: 「A」, 「A」や「B」, 「A」、「B」や「C」."""
    quoted = [f"「{item}」" for item in items]
    if len(quoted) < 2:
        return "".join(quoted)
    return f"{'、'.join(quoted[:-1])}や{quoted[-1]}"


def position_lines(department: str, title: str = "", lang: str = "ja") -> str:
    """A department and a title for the 宛名: one line, or one unit a line when too long."""
    return "\n".join(department_lines(department, title, lang))


def en_join(items: Iterable[str]) -> str:
    """Items as an English list: A; A and B; A, B, and C."""
    words = list(items)
    if len(words) < 3:
        return " and ".join(words)
    return f"{', '.join(words[:-1])}, and {words[-1]}"
