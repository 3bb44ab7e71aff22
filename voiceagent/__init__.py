"""The voice agent platform's project package."""

from voiceagent.celery import app as celery_app

__all__ = ("celery_app",)
