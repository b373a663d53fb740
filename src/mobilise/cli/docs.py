"""Generate ``docs/cli.md`` from the commands themselves, so the reference cannot drift."""

from __future__ import annotations

from typing import Any

import typer


def _walk(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    found = [(path, command)]
    subcommands = getattr(command, "commands", None) or {}
    for name in sorted(subcommands):
        found += _walk(subcommands[name], [*path, name])
    return found


def _option(param: Any) -> str:
    if param.param_type_name == "argument":
        return f"`{param.name.upper()}`"
    return ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])


def cli_reference(app: typer.Typer) -> str:
    """Markdown reference of every command, argument and option."""
    root = typer.main.get_command(app)
    lines = [
        "# Command line reference",
        "",
        "Generated from the commands by `python -m mobilise.cli.docs > docs/cli.md`; a test keeps it "
        "current. Every command takes `--help`; list and show commands take `--json`. Errors print one "
        "message (no traceback) and exit non-zero: 2 bad input, 3 not found, 4 conflict, 5 not "
        "allowed, 6 configuration.",
        "",
    ]
    for path, command in _walk(root, ["mobilise"]):
        if getattr(command, "commands", None) and path != ["mobilise"]:
            lines += [f"## `{' '.join(path)}`", "", (command.help or "").strip(), ""]
            continue
        title = "#" * (2 if path == ["mobilise"] else 3)
        lines += [
            f"{title} `{' '.join(path)}`",
            "",
            (command.help or "").strip().split("\n\n")[0],
            "",
        ]
        params = [p for p in command.params if p.name not in ("help",)]
        if params:
            lines += ["| argument / option | meaning |", "|---|---|"]
            for param in params:
                text = getattr(param, "help", None) or ""
                lines.append(f"| {_option(param)} | {text.replace('|', '/')} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    from mobilise.cli.main import app

    print(cli_reference(app), end="")
