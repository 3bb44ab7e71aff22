"""Free/busy of connected calendars, fetched before the booking tools need it.

The provider is asked in a thread of its own (never the database thread calls share,
never the event loop), for the next ``HORIZON`` from now, at most once per
``CACHE_SECONDS`` per connection. A provider slower than ``CALENDAR_FREEBUSY_TIMEOUT``
does not hold the caller up: availability goes ahead on local bookings, the log says so,
and the answer, when it comes, fills the cache for the next question.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection as db_connection
from django.utils import timezone

from appointments.availability import busy_cache_fresh, busy_cache_store
from appointments.calendar_services import connection_tokens
from appointments.calendars import backend_for
from appointments.calendars.base import CalendarAuthBroken, CalendarError
from appointments.models import CalendarConnection, ConnectionStatus

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60
HORIZON = dt.timedelta(days=21)
_fetchers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="freebusy")


def busy_fetch(*, agent_id: int, now: dt.datetime | None = None) -> bool:
    """Fetches and caches the busy periods of the agent's calendar unless a fresh copy
    is cached; False when there is nothing to ask or the provider failed."""
    try:
        connection = CalendarConnection.objects.filter(agents__pk=agent_id).first()
        if connection is None or connection.status != ConnectionStatus.ACTIVE:
            return False
        start = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
        end = start + HORIZON
        # The window a booking asks about starts now; a fetch from this hour covers it.
        if busy_cache_fresh(
            connection_id=connection.pk, start=start + dt.timedelta(hours=1), end=end
        ):
            return True
        backend = backend_for(connection.provider)
        if not backend.configured():
            return False
        try:
            periods = backend.busy(tokens=connection_tokens(connection), start=start, end=end)
        except CalendarAuthBroken as exc:
            CalendarConnection.objects.filter(pk=connection.pk).update(
                status=ConnectionStatus.NEEDS_REAUTH,
                last_error=str(exc)[:1000],
                updated_at=timezone.now(),
            )
            logger.warning("Calendar connection %s is broken: %s", connection.pk, exc)
            return False
        except CalendarError as exc:
            logger.warning("Calendar free/busy of connection %s failed: %s", connection.pk, exc)
            return False
        busy_cache_store(
            connection_id=connection.pk,
            start=start,
            end=end,
            periods=periods,
            ttl=CACHE_SECONDS,
        )
        return True
    finally:
        # A pool thread, not the request's: its connection must not outlive the work.
        db_connection.close()


async def busy_prefetch(*, agent_id: int) -> bool:
    """Makes sure the agent's calendar busy times are cached, waiting at most
    ``CALENDAR_FREEBUSY_TIMEOUT`` seconds; False when availability must do without."""
    timeout = settings.CALENDAR_FREEBUSY_TIMEOUT
    # A pool of its own, not asgiref's: giving up must not wait for the thread, which
    # finishes the fetch (and fills the cache) on its own time.
    fetch = asyncio.get_running_loop().run_in_executor(
        _fetchers, functools.partial(busy_fetch, agent_id=agent_id)
    )
    try:
        return await asyncio.wait_for(fetch, timeout=timeout)
    except TimeoutError:
        logger.warning(
            "Calendar free/busy for agent %s took longer than %.1f s; availability uses "
            "local bookings only",
            agent_id,
            timeout,
        )
        return False
    except Exception:
        # A cache or database hiccup must not fail the caller's question.
        logger.exception(
            "Calendar free/busy for agent %s failed; availability uses local bookings only",
            agent_id,
        )
        return False
