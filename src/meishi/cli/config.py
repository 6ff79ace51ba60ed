"""`meishi config`: who you are, as your drafts sign it."""

from __future__ import annotations

from typing import Annotated

import typer

from meishi.cli import common

app = typer.Typer(help="Settings: your name, email and signature.", no_args_is_help=True)


@app.command("set")
def set_(
    key: Annotated[str, typer.Argument(help="A setting, e.g. me.name.")],
    value: Annotated[str, typer.Argument(help="Its value.")],
) -> None:
    """Set a setting."""
    from meishi import config

    stored = config.set_value(key, value)
    typer.echo(f"{key} = {stored}")


@app.command("get")
def get(key: Annotated[str, typer.Argument(help="A setting, e.g. me.name.")]) -> None:
    """Print a setting's value (exit 1 when it is not set)."""
    from meishi import config

    value = config.get(key)
    if value is None:
        typer.echo(f"{key} is not set", err=True)
        raise typer.Exit(1)
    typer.echo(value)


@app.command("unset")
def unset(key: Annotated[str, typer.Argument(help="A setting, e.g. me.title.")]) -> None:
    """Remove a setting."""
    from meishi import config

    removed = config.unset(key)
    typer.echo(f"{key} removed" if removed else f"{key} was not set")


@app.command("list")
def list_(as_json: bool = common.JSON_OPTION) -> None:
    """List every setting, with its value or (not set)."""
    from meishi import config, home

    values = config.load()
    if as_json:
        common.print_json({key: values.get(key) for key in config.SETTINGS})
        return
    typer.echo(f"# {home.config_path()}")
    for key, meaning in config.SETTINGS.items():
        value = values.get(key)
        shown = "(not set)" if value is None else value.replace("\n", "\\n")
        typer.echo(f"{key} = {shown}    # {meaning}")
