"""Plivo's call control: the Call resource of the REST API (v1).

- hang up: ``DELETE /v1/Account/{auth_id}/Call/{call_uuid}/`` (204);
- transfer: ``POST /v1/Account/{auth_id}/Call/{call_uuid}/`` with ``legs=aleg`` and
  ``aleg_url``: Plivo fetches our ``<Dial>`` XML there and runs it instead of the stream.

The JSON bodies are what plivo-python sends for ``calls.hangup`` and ``calls.transfer``
(its client is synchronous, on requests: the bridge needs async requests with timeouts).
"""

from __future__ import annotations

from django.conf import settings

from calls.telephony.control import Account, TransferLinks, provider_request

NAME = "Plivo"


def _call_url(account: Account, call_id: str) -> str:
    base = settings.PLIVO_API_BASE_URL.rstrip("/")
    return f"{base}/v1/Account/{account.account_id}/Call/{call_id}/"


class PlivoControl:
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
