"""Phone tests use the calls tests' fake Realtime server."""

from calls.tests.conftest import fake

__all__ = ["fake"]
