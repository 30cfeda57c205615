"""Themes as data: TOML files shipped in `themes/` and dropped into `<config>/themes/`.

A theme file holds the fields of `textual.theme.Theme` (name, primary, background, ...,
dark) and an optional ``[variables]`` table. A file that does not parse or names an
unknown field or colour is skipped with one message; the explorer then falls back to the
default theme.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from textual.app import App
from textual.color import Color, ColorParseError
from textual.css.tokenize import tokenize_values
from textual.theme import Theme

from polyterm.engine.config_file import ConfigFileError, read_config_text
from polyterm.engine.settings import config_dir
from polyterm.safe_text import visible

DEFAULT_THEME = "polyterm-dark"
_COLOUR_FIELDS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
_FIELDS = {f.name for f in fields(Theme)}
# A theme's name is shown in menus that parse markup: letters, digits, space, `._+-` only.
_NAME = re.compile(r"[^\W_][\w .+-]{0,63}")


class ThemeFileError(ValueError):
    """A theme file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class ThemeSet:
    themes: tuple[Theme, ...]
    errors: tuple[str, ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.themes)


def bundled_theme_dir() -> Path:
    """`polyterm/_themes` in an installed wheel, `themes/` beside the package in a checkout."""
    here = Path(__file__).resolve().parent
    wheel = here / "_themes"
    return wheel if wheel.is_dir() else here.parent / "themes"


def user_theme_dir() -> Path:
    return config_dir() / "themes"


def _colour(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ThemeFileError(f'{what} must be a colour string such as "#1e90ff"')
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeFileError(f"{what} = {value!r} is not a colour") from None
    return value


def parse_theme(data: dict[str, Any], source: str) -> Theme:
    """A Theme from a TOML table; ThemeFileError says what is wrong."""
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise ThemeFileError(f"{source}: unknown field {unknown[0]!r}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeFileError(f'{source}: needs name = "..."')
    if not _NAME.fullmatch(name.strip()):
        raise ThemeFileError(
            f"{source}: name = {visible(repr(name))} may hold only letters, digits, spaces "
            "and . _ + - (at most 64)"
        )
    if "primary" not in data:
        raise ThemeFileError(f"{source}: needs a primary colour")
    values: dict[str, Any] = {"name": name.strip()}
    try:
        for key in _COLOUR_FIELDS:
            if key in data:
                values[key] = _colour(data[key], key)
        variables = data.get("variables", {})
        if not isinstance(variables, dict):
            raise ThemeFileError("[variables] must be a table")
        values["variables"] = {str(k): str(v) for k, v in variables.items()}
        for key, kind in (("dark", bool), ("ansi", bool)):
            if key in data:
                if not isinstance(data[key], kind):
                    raise ThemeFileError(f"{key} must be true or false")
                values[key] = data[key]
        for key in ("luminosity_spread", "text_alpha"):
            if key in data:
                if not isinstance(data[key], int | float) or not 0 <= data[key] <= 1:
                    raise ThemeFileError(f"{key} must be a number from 0 to 1")
                values[key] = float(data[key])
    except ThemeFileError as exc:
        raise ThemeFileError(f"{source}: {exc}") from None
    return Theme(**values)


def load_theme_file(path: Path) -> Theme:
    """The theme in `path`; ThemeFileError (one line) for anything that makes it unusable:
    not a regular file (a FIFO is never waited on), over `MAX_CONFIG_BYTES`, not TOML,
    nested too deeply, a bad field or colour."""
    source = f"theme file {visible(str(path))}"
    try:
        data = tomllib.loads(read_config_text(path))
    except OSError as exc:
        raise ThemeFileError(f"{source}: {exc.strerror or exc}") from None
    except ConfigFileError as exc:
        raise ThemeFileError(f"{source}: {exc}") from None
    except RecursionError:
        raise ThemeFileError(f"{source}: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        raise ThemeFileError(f"{source}: not valid TOML ({exc})") from None
    try:
        theme = parse_theme(data, source)
        # colour errors (e.g. a bad variable) show up only when generated, and a variable
        # that is no CSS value only when the stylesheet is built: check both now
        tokenize_values(theme.to_color_system().generate())
    except ThemeFileError:
        raise
    except RecursionError:
        raise ThemeFileError(f"{source}: nested too deeply") from None
    except Exception as exc:
        raise ThemeFileError(visible(f"{source}: {exc}")) from None
    return theme


def load_themes(folders: Iterable[Path] | None = None) -> ThemeSet:
    """Every theme in the bundled and user folders (later folders override by name)."""
    folders = [bundled_theme_dir(), user_theme_dir()] if folders is None else list(folders)
    themes: dict[str, Theme] = {}
    errors: list[str] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = load_theme_file(path)
            except ThemeFileError as exc:
                errors.append(str(exc))
                continue
            themes[theme.name] = theme
    return ThemeSet(tuple(themes.values()), tuple(errors))


def install_themes(app: App[Any], requested: str | None) -> str:
    """Register every theme with `app`, notify about bad files; return the theme to use."""
    themes = load_themes()
    for theme in themes.themes:
        app.register_theme(theme)
    for problem in themes.errors:
        app.notify(
            visible(f"{problem}; it was skipped"),
            title="Theme file",
            severity="warning",
            markup=False,
        )
    wanted = requested or DEFAULT_THEME
    if wanted not in app.available_themes:
        app.notify(
            visible(
                f"no theme named {wanted!r}; using {DEFAULT_THEME}. Themes: "
                + ", ".join(sorted(app.available_themes))
            ),
            severity="warning",
            markup=False,
        )
        wanted = DEFAULT_THEME
    return wanted
