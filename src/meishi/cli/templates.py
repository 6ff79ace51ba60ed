"""`meishi templates`: the templates thank-you drafts are written from."""

from __future__ import annotations

from typing import Annotated

import typer

from meishi.cli import common

app = common.command_group("Draft templates: list, show.", no_args_is_help=True)


@app.command("list")
def list_(as_json: bool = common.JSON_OPTION) -> None:
    """List the templates, bundled and your own."""
    from meishi import home
    from meishi.drafts import templates as drafts

    found = drafts.list_templates(home.templates_dir())
    if as_json:
        common.print_json(
            [{"name": t.name, "origin": t.origin, "path": str(t.path)} for t in found]
        )
        return
    common.print_table(("name", "origin", "path"), [(t.name, t.origin, t.path) for t in found])
    common.echo(f"Your own templates go in {home.templates_dir()} (NAME.j2).", err=True)


@app.command("show")
def show(name: Annotated[str, typer.Argument(help="Template name, e.g. thank-ja.")]) -> None:
    """Print a template's source."""
    from meishi import home
    from meishi.drafts import templates as drafts

    info = drafts.find_template(name, home.templates_dir())
    typer.echo(drafts.template_source(info), nl=False)
