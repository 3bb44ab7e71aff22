from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class NewestFirstCursorPagination(CursorPagination):
    """Stable pages over a growing table: a cursor, not an offset."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-started_at"

    def get_page_size(self, request: Any) -> int:
        """A page_size that is not a whole number from 1 to 500 is a 400 (DRF would
        quietly use the default, and a client would not know its pages are shorter)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def decode_cursor(self, request: Any) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound:
            # DRF answers 404 for a cursor it cannot read; it is a bad parameter.
            raise ValidationError(
                {self.cursor_query_param: ["Not a cursor of this list."]}
            ) from None

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters


class NewestCreatedCursorPagination(NewestFirstCursorPagination):
    ordering = "-created_at"


class LatestStartCursorPagination(NewestFirstCursorPagination):
    ordering = "-start_at"
