"""Plivo's call control: the Call resource of the REST API (v1).

- hang up: ``DELETE /v1/Account/{auth_id}/Call/{call_uuid}/`` (204);
- transfer: ``POST /v1/Account/{auth_id}/Call/{call_uuid}/`` with ``legs=aleg`` and
  ``aleg_url``: Plivo fetches our ``<Dial>`` XML there and runs it instead of the stream.

The JSON bodies are what plivo-python sends for ``calls.hangup`` and ``calls.transfer``
(its client is synchronous, on requests: the bridge needs async requests with timeouts).

- dial: ``POST /v1/Account/{auth_id}/Call/`` with asynchronous machine detection
  (``machine_detection_url``); the answer gives a request uuid, the call's own uuid
  comes with the answer webhook.
"""

from __future__ import annotations

from django.conf import settings

from calls.telephony.control import (
    Account,
    CallControlError,
    DialedCall,
    OutboundDial,
    TransferLinks,
    provider_request,
)

NAME = "Plivo"


def _call_url(account: Account, call_id: str) -> str:
    base = settings.PLIVO_API_BASE_URL.rstrip("/")
    return f"{base}/v1/Account/{account.account_id}/Call/{call_id}/"


def dial_body(order: OutboundDial) -> dict[str, object]:
    """What plivo-python sends for ``client.calls.create(...)`` with these arguments.
    Plivo's detection gives its verdict early in the greeting (it has no wait for the
    beep): the session waits for the greeting to end before leaving a message."""
    return {
        "from": order.from_,
        "to": order.to,
        "answer_url": order.links["answer"],
        "answer_method": "POST",
        "ring_method": "POST",
        "hangup_url": order.links["status"],
        "hangup_method": "POST",
        "fallback_method": "POST",
        "time_limit": order.time_limit_seconds,
        "machine_detection": "true",
        "machine_detection_time": MACHINE_DETECTION_MS,
        "machine_detection_url": order.links["machine"],
        "machine_detection_method": "POST",
        "ring_timeout": order.ring_seconds,
        "error_if_parent_not_found": False,
    }


MACHINE_DETECTION_MS = 5000  # the SDK's default


class PlivoControl:
    async def dial(self, *, account: Account, order: OutboundDial) -> DialedCall:
        base = settings.PLIVO_API_BASE_URL.rstrip("/")
        response = await provider_request(
            "POST",
            f"{base}/v1/Account/{account.account_id}/Call/",
            account=account,
            provider=NAME,
            json=dial_body(order),
        )
        try:
            request_uuid = response.json().get("request_uuid")
        except (ValueError, AttributeError):
            request_uuid = None
        if isinstance(request_uuid, list):  # Plivo lists one per destination
            request_uuid = request_uuid[0] if request_uuid else None
        if not isinstance(request_uuid, str) or not request_uuid:
            raise CallControlError(f"{NAME} accepted the call but gave no request id")
        return DialedCall(call_id="", request_id=request_uuid)

    async def hang_up(self, *, account: Account, call_id: str) -> None:
        await provider_request(
            "DELETE",
            _call_url(account, call_id),
            account=account,
            provider=NAME,
            json={"call_uuid": call_id},
        )

    async def transfer(
        self, *, account: Account, call_id: str, target: str, links: TransferLinks
    ) -> None:
        await provider_request(
            "POST",
            _call_url(account, call_id),
            account=account,
            provider=NAME,
            json={
                "call_uuid": call_id,
                "legs": "aleg",
                "aleg_url": links.dial,
                "aleg_method": "POST",
            },
        )


CONTROL = PlivoControl()
