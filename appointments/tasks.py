"""Celery tasks of the appointments app (calendar events arrive with the post-call issue)."""
