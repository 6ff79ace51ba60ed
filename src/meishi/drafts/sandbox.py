"""The Jinja sandbox that templates render in, bounded in what they may build and do.

Jinja's sandbox keeps a template away from Python's internals, not from exhausting the
machine: `{{ 'a' * 10**8 }}` alone took minutes and gigabytes. Here (limits.TEMPLATE_*):

- an operation that could build much from little (`*`, `**`, %-formatting, str.format,
  padding, joining, replacing) is checked before it runs: a repetition builds at most
  TEMPLATE_REPEAT_CHARS, anything else at most TEMPLATE_OUTPUT_CHARS;
- every value built (by an operator, `~`, a filter or a call), printed, compared, kept
  in a namespace or passed to a macro is measured whole, a list with all it holds,
  against TEMPLATE_OUTPUT_CHARS, and so is the rendered text;
- loops and calls share TEMPLATE_STEPS steps per rendering.
"""

from __future__ import annotations

import functools
import inspect
import re
import string
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, operators
from jinja2.exceptions import SecurityError
from jinja2.filters import sync_do_join
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace

from meishi import limits

REPEAT = limits.TEMPLATE_REPEAT_CHARS
OUTPUT = limits.TEMPLATE_OUTPUT_CHARS
DIGITS_PER_BIT = 0.302  # log10(2): a number is measured by its decimal digits
# %-format conversions: their width and precision ("%10.2f", "%*d").
_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


class _Budget:
    """What one rendering has left to spend, and the sizes of the values it measured."""

    def __init__(self) -> None:
        self.steps = limits.TEMPLATE_STEPS
        # id -> (value, size): the value is kept so that its id is not reused meanwhile.
        self.sizes: dict[int, tuple[Any, int]] = {}

    def step(self) -> None:
        """Spend one step (a loop's turn, a call); refuse when none are left."""
        self.steps -= 1
        if self.steps < 0:
            raise SecurityError(
                f"the template runs more than {limits.TEMPLATE_STEPS:,} loop turns and calls"
            )

    def size(self, value: Any) -> int:
        """A value's size in characters, all it holds counted; a part shared by several
        is measured once (so a list holding itself twice, nested deep, stays quick)."""
        if isinstance(value, str | bytes):
            return len(value)
        if isinstance(value, int):
            return int(value.bit_length() * DIGITS_PER_BIT)
        if not isinstance(value, list | tuple | dict):
            return 1
        known = self.sizes.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        total = len(value) + sum(self.size(item) for item in items)
        self.sizes[id(value)] = (value, total)
        return total


_BUDGET: ContextVar[_Budget] = ContextVar("template_budget")


def render(template: jinja2.Template, values: Mapping[str, Any]) -> str:
    """The template rendered with values, within the bounds (SecurityError past them)."""
    token = _BUDGET.set(_Budget())
    try:
        pieces: list[str] = []
        length = 0
        for piece in template.generate(values):
            length += len(piece)
            _limit(length, OUTPUT, "the rendered text")
            pieces.append(piece)
        return "".join(pieces)
    finally:
        _BUDGET.reset(token)


def _limit(size: int, most: int, what: str) -> None:
    """Refuse when something would be larger than allowed."""
    if size > most:
        raise SecurityError(f"{what} would be longer than {most:,} characters")


def checked(value: Any) -> Any:
    """The value, once measured to be within TEMPLATE_OUTPUT_CHARS."""
    _limit(_BUDGET.get().size(value), OUTPUT, "a value")
    return value


def _counted(iterable: Any) -> Iterator[Any]:
    """A loop's items, each a step and each measured."""
    budget = _BUDGET.get()
    for item in iterable:
        budget.step()
        yield checked(item)


class _BoundedNamespace(Namespace):
    """namespace(): what is kept in it is bounded, since it outlives a loop's turn."""

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, checked(value))


class _BoundedCode(CodeGenerator):
    """Jinja's code generator, counting the turns of loops and measuring what `~` joins
    and comparisons compare: none of them goes through the sandbox's hooks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loop_iterables: list[nodes.Node] = []

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        if any(node is iterable for iterable in self._loop_iterables):
            return self._call("counted", node, *args)
        return super().visit(node, *args, **kwargs)

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        self._loop_iterables.append(node.iter)
        super().visit_For(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # As Jinja's own, which writes the join function's name first.
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"environment.checked({join}((")
        for item in node.nodes:
            self._call("checked", item, frame)
            self.write(", ")
        self.write(")))")

    def visit_Compare(self, node: nodes.Compare, frame: Frame) -> None:
        self.write("(")
        self._call("checked", node.expr, frame)
        for operand in node.ops:
            self.write(f" {operators[operand.op]} ")
            self._call("checked", operand.expr, frame)
        self.write(")")

    def _call(self, method: str, node: nodes.Node, frame: Frame) -> None:
        """Write a call of the environment's method on the node's value."""
        self.write(f"environment.{method}(")
        super().visit(node, frame)
        self.write(")")


def _produced(items: Iterator[Any]) -> Iterator[Any]:
    """What a filter makes lazily (map, select...): a step each, and measured together."""
    budget = _BUDGET.get()
    total = 0
    for item in items:
        budget.step()
        total += budget.size(item) + 1
        _limit(total, OUTPUT, "what a filter makes")
        yield item


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the bounds of this module."""

    intercepted_binops = frozenset({"+", "*", "**", "%"})
    code_generator_class = _BoundedCode
    counted = staticmethod(_counted)  # called by the code _BoundedCode writes
    checked = staticmethod(checked)

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=checked, **options)
        self.globals["range"] = _range
        self.globals["namespace"] = _BoundedNamespace
        del self.globals["lipsum"]  # makes any amount of text, and no note needs it
        self.filters["join"] = _join
        for name, function in list(self.filters.items()):
            self.filters[name] = _bounded(function, _FILTER_CHECKS.get(name))
        for name, function in list(self.tests.items()):
            self.tests[name] = _bounded(function, None)

    def add_filters(self, **filters: Callable[..., Any]) -> None:
        """Add filters of one's own, bounded like Jinja's."""
        self.filters.update({name: _bounded(f, None) for name, f in filters.items()})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """An operator, its result bounded; repetition and powers checked first."""
        if operator == "*":
            _check_repeat(left, right)
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            _limit(int(left.bit_length() * right * DIGITS_PER_BIT), REPEAT, "a power")
        elif operator == "%" and isinstance(left, str):
            _check_printf(left)
        return checked(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """A call (a method, a macro), a step, its arguments and result bounded."""
        _BUDGET.get().step()
        if isinstance(getattr(__obj, "__self__", None), str):  # a string's method
            # What a filter makes lazily is taken whole (it is bounded), to be checked.
            args = tuple(list(a) if isinstance(a, Iterator) else a for a in args)
            _STR_METHOD_CHECKS.get(__obj.__name__, _no_check)(__obj.__self__, *args)
        for value in (*args, *kwargs.values()):
            checked(value)
        return checked(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """str.format and format_map, their widths checked."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_format_spec(value.__self__)
        return wrapped


def _range(*args: int) -> range:
    """range(), at most TEMPLATE_REPEAT_CHARS numbers long."""
    numbers = range(*args)
    _limit(len(numbers), REPEAT, "a range")
    return numbers


def _check_repeat(left: Any, right: Any) -> None:
    """Refuse `*` building too long a text or list, or too big a number."""
    if isinstance(left, int) and isinstance(right, int):
        size = _BUDGET.get().size
        _limit(size(left) + size(right), REPEAT, "a product")
        return
    times, repeated = (right, left) if isinstance(right, int) else (left, right)
    if isinstance(times, int) and isinstance(repeated, str | list | tuple):
        _limit(_BUDGET.get().size(repeated) * times, REPEAT, "a repetition")


def _check_printf(template: str) -> None:
    """Refuse %-formatting with a width or precision beyond TEMPLATE_REPEAT_CHARS."""
    for match in _PRINTF.finditer(template):
        for number in match.groups():
            if number == "*":
                raise SecurityError("a %-format width given as '*' is not allowed")
            _limit(int(number or 0), REPEAT, "a formatted value")


def _check_format_spec(template: str) -> None:
    """Refuse str.format with a width beyond TEMPLATE_REPEAT_CHARS, or given by a field."""
    for _, _, spec, _ in string.Formatter().parse(template):
        if spec and "{" in spec:
            raise SecurityError("a format width given by another field is not allowed")
        for number in re.findall(r"\d+", spec or ""):
            _limit(int(number), REPEAT, "a formatted value")


def _bounded(function: Any, check: Callable[..., None] | None) -> Any:
    """A filter or test with its arguments and result bounded, and its own check first."""
    # Only a check needs the arguments by name: the signature of every other filter (a
    # hundred, built once per command) would cost more than rendering a letter.
    signature = inspect.signature(function) if check is not None else None

    @functools.wraps(function)  # keeps Jinja's pass_context/pass_eval_context marks
    def bounded(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            checked(value)
        if check is not None and signature is not None:
            check(**signature.bind(*args, **kwargs).arguments)
        result = function(*args, **kwargs)
        return _produced(result) if isinstance(result, Iterator) else checked(result)

    return bounded


@jinja2.pass_eval_context
def _join(eval_ctx: Any, value: Any, d: str = "", attribute: str | int | None = None) -> str:
    """Jinja's join, the separator's repetition checked first."""
    items = list(value)
    _limit(len(str(d)) * max(len(items) - 1, 0), OUTPUT, "the joined text")
    return sync_do_join(eval_ctx, items, d, attribute)


def _no_check(*_args: Any, **_kwargs: Any) -> None:
    """For the filters and methods that cannot build much from little."""


def _width(width: Any, what: str = "a padded value") -> None:
    """Refuse padding (or a count of parts) beyond TEMPLATE_REPEAT_CHARS."""
    if isinstance(width, int):
        _limit(width, REPEAT, what)


def _count(text: str, part: str) -> int:
    """How often part is in text ('' is between every two characters)."""
    return len(text) + 1 if part == "" else text.count(part)


def _mapped(table: Any) -> Any:
    """What a str.translate table maps characters to."""
    return (
        table.values()
        if isinstance(table, Mapping)
        else table
        if isinstance(table, list | tuple)
        else ()
    )


def _check_indent(s: str, width: Any = 4, **_rest: Any) -> None:
    """Refuse an indent that makes the text too long."""
    _width(width)
    if isinstance(width, str):
        _limit((s.count("\n") + 1) * len(width), OUTPUT, "the indented text")


_FILTER_CHECKS: dict[str, Callable[..., None]] = {
    "center": lambda value, width=80, **_: _width(width),
    "indent": _check_indent,
    "format": lambda value, *_, **__: _check_printf(value) if isinstance(value, str) else None,
    "batch": lambda value, linecount, **_: _width(linecount, "a batch"),
    "slice": lambda value, slices, **_: _width(slices, "the slices"),
    "replace": lambda s, old, new, **_: _limit(
        _count(str(s), str(old)) * len(str(new)), OUTPUT, "the replaced text"
    ),
    "wordwrap": lambda s, wrapstring=None, **_: _limit(
        len(s) * len(wrapstring or ""), OUTPUT, "the wrapped text"
    ),
    "tojson": lambda value, indent=None, **_: _limit(
        _BUDGET.get().size(value) * (indent or 0), OUTPUT, "the JSON"
    ),
}
_STR_METHOD_CHECKS: dict[str, Callable[..., None]] = {
    "center": lambda _s, width=0, *_: _width(width),
    "ljust": lambda _s, width=0, *_: _width(width),
    "rjust": lambda _s, width=0, *_: _width(width),
    "zfill": lambda _s, width=0, *_: _width(width),
    "expandtabs": lambda s, tabsize=8, *_: _limit(
        s.count("\t") * tabsize, OUTPUT, "the expanded text"
    ),
    "replace": lambda s, old="", new="", *_: _limit(
        _count(s, old) * len(new), OUTPUT, "the replaced text"
    ),
    "join": lambda s, items=(), *_: _limit(len(s) * len(items), OUTPUT, "the joined text"),
    "translate": lambda s, table=None, *_: _limit(
        len(s) * max((len(str(v)) for v in _mapped(table)), default=1), OUTPUT, "the text"
    ),
}
