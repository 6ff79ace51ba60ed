"""`meishi templates`: the templates thank-you drafts are written from."""

from __future__ import annotations

from typing import Annotated

import typer

from meishi.cli import common

app = common.command_group("Draft templates: list, show.", no_args_is_help=True)


@app.command("list")
def list_(as_json: bool = common.JSON_OPTION) -> None:
    """List the templates, bundled and your own."""
    from meishi.drafts import templates as drafts

    templates = common.run().home.templates
    found = drafts.list_templates(templates)
    if as_json:
        common.print_json(
            [{"name": t.name, "origin": t.origin, "path": str(t.path)} for t in found]
        )
        return
    common.print_table(("name", "origin", "path"), [(t.name, t.origin, t.path) for t in found])
    common.echo(f"Your own templates go in {templates} (NAME.j2).", err=True)


@app.command("show")
def show(name: Annotated[str, typer.Argument(help="Template name, e.g. thank-ja.")]) -> None:
    """Print a template's source."""
    from meishi.drafts import templates as drafts

    info = drafts.find_template(name, common.run().home.templates)
    typer.echo(drafts.template_source(info), nl=False)
