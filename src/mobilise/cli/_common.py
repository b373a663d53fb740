"""What every command shares: the workspace option, output, tables, progress bars, and the
words of the command line (hints in its own syntax, flags shown as flags)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, overload

import rich.table
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mobilise.errors import MobiliseError, NotFound, ValidationError
from mobilise.model.partner_vocab import SECTORS, sector_code
from mobilise.settings import Settings

if TYPE_CHECKING:
    from mobilise.workspace import Workspace

FileArg = Annotated[Path, typer.Argument(help="The file to import.", exists=True, dir_okay=False)]
SourceOpt = Annotated[str | None, typer.Option("--source", help="Title and publisher of the data.")]
LicenceOpt = Annotated[str | None, typer.Option("--licence", help="Licence, e.g. OGL-UK-3.0.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]

SECTOR_HELP = "Sector, by code or name: " + "; ".join(f"{s.code} ({s.label})" for s in SECTORS)

console = Console()
err_console = Console(stderr=True)


class Table(rich.table.Table):
    """A rich table whose columns wrap, folding a word too long for its column, instead of
    cutting it to "libra…": every command's tables read whole in an 80-column terminal."""

    def add_column(self, header: Any = "", footer: Any = "", **options: Any) -> None:
        options.setdefault("overflow", "fold")
        super().add_column(header, footer, **options)


@dataclass
class State:
    settings: Settings
    workspace_option: str | None = None

    @property
    def location(self) -> str:
        return self.workspace_option or self.settings.url

    def open(self, *, create: bool = True) -> Workspace:
        """The workspace. A command that only reads it passes ``create=False``: a SQLite
        workspace file that does not exist is then an error saying where the command looked
        and how to make one, not a new empty workspace."""
        if not create:
            self.check_exists()
        # The workspace (and the database driver) load when a command needs them, not for --help.
        from mobilise.workspace import open_workspace

        return open_workspace(self.location, actor=self.settings.user, limits=self.settings.limits)

    def sqlite_file(self) -> Path | None:
        """The workspace's SQLite file, or None when it is a database server's URL."""
        location = self.location
        if location.startswith("sqlite:///"):
            location = location.removeprefix("sqlite:///")
        elif "://" in location:
            return None
        return Path(location).expanduser().absolute()

    def chosen_by(self) -> str:
        """What chose the workspace: the option, an environment variable or the default."""
        if self.workspace_option:
            return "--workspace"
        if self.settings.database_url:
            return "MOBILISE_DATABASE_URL"
        return (
            "MOBILISE_WORKSPACE"
            if self.settings.workspace != Path("mobilise.sqlite")
            else "default"
        )

    def check_exists(self) -> None:
        """NotFound when the workspace is a SQLite file that does not exist."""
        path = self.sqlite_file()
        if path is None or path.exists():
            return
        how = {
            "default": "the default; choose another with --workspace PATH or MOBILISE_WORKSPACE",
            "--workspace": "from --workspace",
            "MOBILISE_WORKSPACE": "from MOBILISE_WORKSPACE",
        }[self.chosen_by()]
        option = "" if self.chosen_by() != "--workspace" else f"--workspace {path} "
        raise NotFound(
            f"No workspace at {path} ({how}). Make one with `mobilise {option}demo` (the demo "
            f"data) or `mobilise {option}init` (empty)."
        )


def state(ctx: typer.Context) -> State:
    found = ctx.find_root().obj
    assert isinstance(found, State)
    return found


def print_json(value: Any) -> None:
    """JSON for scripts: plain text on stdout, no colour or wrapping."""
    typer.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Any]:
    """A callback ``(step, done, total)`` drawing a rich progress bar on stderr.

    The bar appears with the first report, so a command that fails before its work starts (a
    file refused as it is read) prints only its error.
    """
    if not enabled:
        yield lambda _s, _d, _t: None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )
    tasks: dict[str, Any] = {}

    def report(step: str, done: int, total: int) -> None:
        if not tasks:
            bar.start()
            tasks["main"] = bar.add_task(step, total=total)
        bar.update(tasks["main"], description=step, completed=done, total=total)

    try:
        yield report
    finally:
        if tasks:
            bar.stop()


@overload
def parse_day(text: str) -> date: ...
@overload
def parse_day(text: None) -> None: ...
def parse_day(text: str | None) -> date | None:
    """A YYYY-MM-DD option as a date (None stays None)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{text!r} is not a date (YYYY-MM-DD).") from None


def parse_sector(text: str | None) -> str | None:
    """A sector option (code, label or alias, any case) as its code (None stays None)."""
    if text is None:
        return None
    code = sector_code(text)
    if code is None:
        raise ValidationError(f"Unknown sector {text!r}. {SECTOR_HELP}.")
    return code


# The Python API's words for an option, as the command line spells it: the readers' hints name
# the keyword arguments of the Python functions.
_CLI_WORDS = (
    (re.compile(r"column_map=\{'Your column': '([^']+)'\}"), r"--column 'Your column=\1'"),
    (
        re.compile(r"name the column of area codes with area_column="),
        "name the column of area codes with --area-column COLUMN",
    ),
    (re.compile(r"or the last \(repeats\)"), "or the last (--repeats first or --repeats last)"),
)


def in_cli_words(text: str) -> str:
    """``text`` with the Python API's option names replaced by the command line's."""
    for pattern, words in _CLI_WORDS:
        text = pattern.sub(words, text)
    return text


def error_text(error: MobiliseError) -> str:
    """An error as the command line prints it: its message and problems, in its own syntax."""
    return in_cli_words(str(error))


@contextmanager
def only_reading(what: str) -> Iterator[None]:
    """Around a command that reads a file without storing it: an error says the file could not
    be read, not that "nothing was imported" (nothing was to be)."""
    try:
        yield
    except ValidationError as error:
        message = error.message.replace("; nothing was imported.", f"; {what}.")
        raise ValidationError(message, problems=error.problems) from None


def show_flags_as_flags(command: Any) -> None:
    """Show every on/off option of ``command`` and its subcommands as a flag (``--dry-run``), not
    as an option taking a value (``--dry-run <bool>``, how Typer's help draws them)."""
    for param in getattr(command, "params", []):
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    help_option = command.get_help_option(command.context_class(command))
    if help_option is not None:
        help_option.metavar = ""
    for sub in (getattr(command, "commands", None) or {}).values():
        show_flags_as_flags(sub)
