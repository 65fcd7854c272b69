"""Reading ganforge settings given to a benchmark as `key=value` words (dotted keys, as
`ganforge train` takes them), with a one-line refusal instead of a traceback."""

from __future__ import annotations


def parse_overrides(settings: list[str], where: str) -> dict[str, str]:
    """{key: value} of `settings`; a SystemExit naming `where` and the bad word otherwise."""
    overrides = {}
    for setting in settings:
        key, equals, value = setting.partition("=")
        if not equals or not key or not value:
            raise SystemExit(f"{where}: {setting!r} is not key=value (e.g. loss.name=hinge)")
        overrides[key] = value
    return overrides
