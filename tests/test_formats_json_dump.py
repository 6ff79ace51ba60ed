"""The JSON dump: what `meishi export --format json` writes and `meishi import` restores."""

from sqlmodel import SQLModel

import meishi.models  # noqa: F401  (defines the tables)
from meishi.formats.json_dump import TABLES
from meishi.models import ContactEmail, Topic

NESTED = {ContactEmail: "contacts", Topic: "encounters"}  # dumped inside the rows they belong to


def test_the_json_dump_covers_every_table() -> None:
    dumped = {model.__tablename__ for model in TABLES.values()}
    nested = {model.__tablename__ for model in NESTED}
    assert set(SQLModel.metadata.tables) == dumped | nested
