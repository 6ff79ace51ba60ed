"""`meishi config`: who you are, as your drafts sign it."""

from __future__ import annotations

from typing import Annotated

import typer

from meishi.cli import common

app = common.command_group("Settings: your name, email and signature.", no_args_is_help=True)


# "-1" is a value here, not an option (it is refused as a pause with a clear message).
@app.command("set", context_settings={"ignore_unknown_options": True})
def set_(
    key: Annotated[str, typer.Argument(help="A setting, e.g. me.name.")],
    value: Annotated[str, typer.Argument(help="Its value.")],
) -> None:
    """Set a setting."""
    from meishi import config

    current = common.run()
    stored = config.set_value(key, value, current.home.config_file)
    common.echo(f"{key} = {stored}")
    current.forget_settings()  # read again: the file has just changed
    warning = config.unencrypted_warning(current.settings)
    if warning and key in ("smtp.host", "smtp.security", "imap.host", "imap.security"):
        common.echo(warning, err=True)


@app.command("get")
def get(key: Annotated[str, typer.Argument(help="A setting, e.g. me.name.")]) -> None:
    """Print a setting's value (exit 1 when it is not set)."""
    from meishi import config

    value = config.get(key, common.run().settings)
    if value is None:
        common.echo(f"{key} is not set", err=True)
        raise typer.Exit(1)
    common.echo(value)


@app.command("unset")
def unset(key: Annotated[str, typer.Argument(help="A setting, e.g. me.title.")]) -> None:
    """Remove a setting."""
    from meishi import config

    removed = config.unset(key, common.run().home.config_file)
    common.echo(f"{key} removed" if removed else f"{key} was not set")


@app.command("set-password")
def set_password(
    service: Annotated[
        str, typer.Argument(help="What the password is for: smtp, imap or database.")
    ],
) -> None:
    """Store a password in the OS keyring: asked without echo, or read from stdin."""
    import sys

    from meishi.mail import keychain

    current = common.run()
    login = keychain.login_for(
        service, current.settings, current.home.keyring_named, current.location.url
    )
    where = f"{login.user} at {login.host}"
    if sys.stdin.isatty():
        password = typer.prompt(common.shown(f"Password for {where}"), hide_input=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    keeper = keychain.keep_password(login, password, current.home.keyring_named)
    common.echo(f"Stored the password for {where} in the keyring ({keeper}).")


@app.command("list")
def list_(as_json: bool = common.JSON_OPTION) -> None:
    """List every setting, with its value or (not set)."""
    from meishi import config

    current = common.run()
    values = current.settings
    if as_json:
        common.print_json({key: values.get(key) for key in config.SETTINGS})
        return
    common.echo(f"# {current.home.config_file}")
    for key, meaning in config.SETTINGS.items():
        value = values.get(key)
        shown = "(not set)" if value is None else value.replace("\n", "\\n")
        common.echo(f"{key} = {shown}    # {meaning}")
