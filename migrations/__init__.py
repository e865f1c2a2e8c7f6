"""Alembic migrations; `HEAD` is the newest revision (a test keeps it in step)."""

HEAD = "0007"
