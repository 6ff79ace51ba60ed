"""Alembic migrations: how each meishi database reaches the current schema."""
