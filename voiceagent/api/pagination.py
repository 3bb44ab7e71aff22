from __future__ import annotations

from rest_framework.pagination import CursorPagination


class NewestFirstCursorPagination(CursorPagination):
    """Stable pages over a growing table: a cursor, not an offset."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-started_at"


class NewestCreatedCursorPagination(NewestFirstCursorPagination):
    ordering = "-created_at"


class LatestStartCursorPagination(NewestFirstCursorPagination):
    ordering = "-start_at"
