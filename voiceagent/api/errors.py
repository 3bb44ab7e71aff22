"""One error shape for every API error: ``{"error": {"code", "message", "details"}}``.

The services raise their own exceptions (a booking refused, a duplicate contact, a
service the agent does not offer); they are translated to HTTP here, in one place, so
a view never catches them one by one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as ModelValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler


class Conflict(exceptions.APIException):
    """The request is valid but clashes with what exists (a duplicate, a taken slot)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"

    def __init__(self, detail: str, *, code: str = "conflict", details: Any = None) -> None:
        super().__init__(detail, code)
        self.details = details


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def _domain_error(exc: Exception) -> exceptions.APIException | None:
    """The services' own exceptions, as the API reports them."""
    # Imported here: the API layer knows the apps, never the other way round.
    from agents.selectors import ServiceNotFound
    from agents.services import AgentInUse
    from appointments.services import BookingError
    from appointments.when import WhenError
    from contacts.services import ContactConflict
    from outbound.services import OutboundRefused
    from phone_numbers.services import PhoneNumberTaken

    if isinstance(exc, ModelValidationError):
        # A model's own validation (full_clean in a service), field by field.
        return exceptions.ValidationError(detail=get_error_detail(exc))
    if isinstance(exc, AgentInUse):
        return Conflict(str(exc), code="agent_in_use")
    if isinstance(exc, BookingError):
        return Conflict(str(exc), code="booking_refused")
    if isinstance(exc, ServiceNotFound):
        return exceptions.ValidationError({"service": [str(exc)]})
    if isinstance(exc, WhenError):
        return exceptions.ValidationError({"start": [str(exc)]})
    if isinstance(exc, ContactConflict):
        return Conflict(
            str(exc), code="duplicate_contact", details={"existing_id": exc.existing_id}
        )
    if isinstance(exc, PhoneNumberTaken):
        return Conflict(str(exc), code="number_taken")
    if isinstance(exc, OutboundRefused):
        window = exc.next_window.isoformat() if exc.next_window is not None else None
        return Conflict(exc.message, code=exc.code, details={"next_window": window})
    return None


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, reshaped. Another owner's object is a plain 404 (the queryset is
    owner-scoped), never a 403 that would confirm it exists."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    else:
        exc = _domain_error(exc) or exc
    response = exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500, logged with its traceback
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    details = getattr(exc, "details", None)
    if isinstance(exc, exceptions.ValidationError):
        message, details = "The request is not valid.", response.data
        code = "invalid"
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        message = str(detail) or "The request failed."
    if not isinstance(code, str):
        code = "invalid"
    response.data = {"error": {"code": code, "message": message, "details": details}}
    request = context.get("request")
    if request is not None:
        # Errors are JSON whatever the success would have been (CSV, plain text).
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


def request_user_id(request: Any) -> int:
    """The authenticated requester's id (the views' permission already requires one)."""
    user_id = getattr(request.user, "pk", None)
    if user_id is None:
        raise exceptions.NotAuthenticated()
    return int(user_id)
