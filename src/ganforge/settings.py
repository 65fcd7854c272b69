"""Settings from the command line and from preset files, both parsed by tyro against the config
dataclasses: one engine checks types, choices and names, and its help comes from the field
docstrings. This module only adapts tyro to ganforge's conventions: comma lists (`1200,1200`),
`none`/`true`/`false` in any case, file values turned into the same flags, and one-line
`ConfigError`s with a did-you-mean instead of tyro's boxed messages."""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import io
import textwrap
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

import tyro
from tyro import _errors as tyro_errors  # the parse-error hook; tyro is pinned exactly for it

from ganforge.errors import ConfigError

C = TypeVar("C")

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
# How tyro reads every field: `--train.progress false`, not `--train.no-progress`.
_TYRO_MARKERS = (tyro.conf.FlagConversionOff,)


def _is_section(annotation: Any) -> bool:
    return isinstance(annotation, type) and dataclasses.is_dataclass(annotation)


def setting_types(cls: type, prefix: str = "") -> dict[str, Any]:
    """Every leaf setting of a config dataclass as dotted key -> type annotation."""
    found: dict[str, Any] = {}
    for name, annotation in typing.get_type_hints(cls).items():
        if _is_section(annotation):
            found.update(setting_types(annotation, f"{prefix}{name}."))
        else:
            found[prefix + name] = annotation
    return found


def section_keys(cls: type, prefix: str = "") -> set[str]:
    """Every section (nested dataclass) of a config dataclass as a dotted key."""
    found: set[str] = set()
    for name, annotation in typing.get_type_hints(cls).items():
        if _is_section(annotation):
            found.add(prefix + name)
            found |= section_keys(annotation, f"{prefix}{name}.")
    return found


def _options(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


def _value_tokens(value: str, annotation: Any) -> list[str]:
    """One command-line value as the tokens tyro expects for the field's type."""
    options = _options(annotation)
    if value.lower() in ("none", "null") and type(None) in options:
        return ["None"]
    if bool in options and value.lower() in _TRUE | _FALSE:
        return ["True" if value.lower() in _TRUE else "False"]
    if any(typing.get_origin(option) is tuple for option in options):
        text = value.strip().removeprefix("[").removesuffix("]")
        return [part.strip() for part in text.split(",") if part.strip()]
    return [value]


def suggest(key: str, known: Sequence[str], legacy: Mapping[str, str] | None = None) -> str:
    """The tail of an unknown-key message: where it moved, or the closest thing of its kind (a
    section for a misspelt section, a field of the same section for a misspelt field)."""
    if legacy and key in legacy:
        return f"; it is now {legacy[key]}"
    head, _, rest = key.partition(".")
    sections = {k.split(".")[0] for k in known if "." in k}
    top_level = sections | {k for k in known if "." not in k}
    if head not in top_level:
        near = difflib.get_close_matches(head, sorted(top_level), n=1, cutoff=0.6)
        if not near:
            return "; see --help for the list of settings"
        if near[0] not in sections:
            return f"; did you mean {near[0]}?"
        fixed = f"{near[0]}.{rest}"
        return f"; did you mean {fixed}?" if fixed in known else \
            f"; did you mean the section {near[0]}?"
    siblings = [k for k in known if k.startswith(f"{head}.")] or list(known)
    matches = difflib.get_close_matches(key, siblings, n=1, cutoff=0.6)
    return f"; did you mean {matches[0]}?" if matches else "; see --help for the list of settings"


def normalise_args(cls: type, args: Sequence[str]) -> list[str]:
    """`--a.b-c=1,2` style flags -> tyro's tokens; unknown flags pass through for tyro to name."""
    types_by_key = setting_types(cls)
    tokens: list[str] = []
    index = 0
    while index < len(args):
        token = args[index]
        index += 1
        if not token.startswith("--"):
            tokens.append(token)
            continue
        name, equals, inline = token[2:].partition("=")
        key = name.replace("-", "_")
        values = [inline] if equals else []
        while not equals and index < len(args) and not args[index].startswith("--"):
            values.append(args[index])
            index += 1
        tokens.append(f"--{key}")
        annotation = types_by_key.get(key)
        for value in values:
            tokens.extend(_value_tokens(value, annotation) if annotation is not None else [value])
    return tokens


def mapping_to_args(values: Mapping[str, Any], cls: type, prefix: str = "") -> list[str]:
    """A parsed TOML/JSON mapping -> the flags that say the same, checked by the same parser."""
    sections = section_keys(cls)
    args: list[str] = []
    for name, value in values.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            if key not in sections:
                raise ConfigError(f"unknown config key {key!r}"
                                  f"{suggest(key, sorted(sections | set(setting_types(cls))))}")
            args += mapping_to_args(value, cls, f"{key}.")
            continue
        if key in sections:
            raise ConfigError(f"{key} must be a section of settings (got {value!r})")
        args.append(f"--{key}")
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, (Mapping, list, tuple)):
                raise ConfigError(f"{key} must be a value or a list of values (got {value!r})")
            args.append(value_token(item))
    return args


def value_token(value: Any) -> str:
    """A Python value as the command-line token tyro reads back to it."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _flag_key(argument: Any) -> str:
    """The dotted key of a tyro argument, without dashes, with underscores."""
    flags = getattr(getattr(argument, "lowered", None), "name_or_flags", None) or ("?",)
    return str(flags[0]).lstrip("-").replace("-", "_")


def _error_hook(cls: type, legacy: Mapping[str, str] | None) -> Any:
    types_by_key = setting_types(cls)
    known = sorted(types_by_key)

    def raise_config_error(event: tyro_errors.ParseErrorEvent) -> None:
        if isinstance(event, tyro_errors.UnrecognizedArgs):
            flags = [token for token in event.tokens if token.startswith("-")]
            if not flags:
                raise ConfigError(f"unexpected argument(s) {' '.join(event.tokens)}; settings "
                                  "are given as --section.field VALUE, e.g. --train.steps 30")
            key = flags[0].lstrip("-").replace("-", "_")
            raise ConfigError(f"unknown config key {key!r}{suggest(key, known, legacy)}")
        if isinstance(event, tyro_errors.InvalidChoice):
            raise ConfigError(f"{_flag_key(event.argument)} must be one of "
                              f"{', '.join(event.choices)} (got {event.value!r})")
        if isinstance(event, tyro_errors.BadValue):
            raise ConfigError(f"{_flag_key(event.argument)}: {event.reason}")
        if isinstance(event, tyro_errors.InstantiationFailure):
            key = _flag_key(event.argument) if event.argument is not None else "a setting"
            annotation = types_by_key.get(key)
            expected = _describe(annotation) if annotation is not None else "a valid value"
            detail = event.message.strip().splitlines()[0]
            raise ConfigError(f"{key} must be {expected} ({detail})")
        if isinstance(event, tyro_errors.MissingArgs):
            raise ConfigError("a setting is missing its value; settings are given as "
                              "--section.field VALUE")
        raise ConfigError(f"the settings could not be read ({type(event).__name__}); see --help")

    return raise_config_error


def _describe(annotation: Any) -> str:
    """A type as words for an error message: `int`, `float or None`, `a list of int`."""
    words = []
    for option in _options(annotation):
        if option is type(None):
            words.append("None")
        elif typing.get_origin(option) is tuple:
            words.append(f"a list of {_describe(typing.get_args(option)[0])}")
        elif typing.get_origin(option) is typing.Literal:
            words.append("one of " + ", ".join(str(a) for a in typing.get_args(option)))
        else:
            words.append(getattr(option, "__name__", str(option)))
    return " or ".join(words)


def parse_settings(cls: type[C], base: C, args: Sequence[str], *,
                   legacy: Mapping[str, str] | None = None, prog: str = "ganforge") -> C:
    """`base` with the settings `args` name replaced: a new frozen instance, checked by tyro and
    by the dataclasses' own validation. Any mistake is a one-line `ConfigError`."""
    tokens = normalise_args(cls, args)
    if not tokens:
        return base
    with tyro_errors.on_parse_error(_error_hook(cls, legacy)):
        parsed = tyro.cli(cls, default=base, args=tokens, prog=prog, config=_TYRO_MARKERS)
    _check_int_ranges(parsed)
    return parsed


def _check_int_ranges(config: Any, prefix: str = "") -> None:
    """Integers that would overflow torch's int64 are refused here, not deep in a kernel."""
    for item in dataclasses.fields(config):
        value = getattr(config, item.name)
        values = value if isinstance(value, tuple) else (value,)
        if dataclasses.is_dataclass(value):
            _check_int_ranges(value, f"{prefix}{item.name}.")
        elif any(isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 2**63
                 for v in values):
            raise ConfigError(f"{prefix}{item.name} is out of range (got {value!r}); integers "
                              "must be below 2^63")


HELP_TEXT_INDENT = " " * 8
"""How tyro indents a setting's description under its flag."""
HELP_WIDTH = 80


def settings_help(cls: type[C], base: C, prog: str) -> str:
    """tyro's help text for every setting of `cls`, with `base`'s values as the defaults, each
    description reflowed (`reflow_descriptions`)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.suppress(SystemExit):
        tyro.cli(cls, default=base, args=["--help"], prog=prog, config=_TYRO_MARKERS)
    return reflow_descriptions(buffer.getvalue())


def reflow_descriptions(text: str, width: int = HELP_WIDTH) -> str:
    """Rewrap each run of description lines as one paragraph. tyro keeps a field docstring's own
    line breaks and then wraps each line at the terminal's width, which leaves a short line
    after every long one."""
    lines: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            lines.extend(textwrap.wrap(" ".join(paragraph), width, initial_indent=HELP_TEXT_INDENT,
                                       subsequent_indent=HELP_TEXT_INDENT,
                                       break_on_hyphens=False, break_long_words=False))
            paragraph.clear()

    for line in text.splitlines():
        if line.startswith(HELP_TEXT_INDENT) and line.strip():
            paragraph.append(line.strip())
        else:
            flush()
            lines.append(line.rstrip())
    flush()
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def in_file(path: object) -> Iterator[None]:
    """Prefix any `ConfigError` raised inside with the file it came from."""
    try:
        yield
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None
