"""Celery tasks of the agents app (knowledge-base ingestion arrives with the tools issue)."""
