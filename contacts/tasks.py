"""Celery tasks of the contacts app (none yet: contacts are written during calls)."""
