"""Which provider account's credentials a call uses: the number's own, or the server's.

A number (``phone_numbers.PhoneNumber``) may belong to its owner's own provider account:
that account signs its webhooks and media streams, and only its credentials can control
its calls. A *line* names such a number (its id as a string) from the webhook to the
stream and to later call control (``StreamGrant.line``); an empty line means the
server's credentials, from the environment.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from phone_numbers.selectors import phone_number_find, phone_number_get

# Each provider's environment settings: (account id, auth token). A provider is one
# entry here (and its settings in voiceagent/settings.py).
ENV_CREDENTIALS: dict[str, tuple[str, str]] = {
    "twilio": ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"),
    "plivo": ("PLIVO_AUTH_ID", "PLIVO_AUTH_TOKEN"),
}


@dataclass(frozen=True)
class ProviderCredentials:
    account_id: str  # Twilio: Account SID; Plivo: Auth ID (may be empty for the server's)
    auth_token: str

    def __repr__(self) -> str:  # never the token, in logs or tracebacks
        return f"ProviderCredentials(account_id={self.account_id!r}, auth_token=…)"


def env_credentials(*, provider: str) -> ProviderCredentials | None:
    """The server's account for ``provider``; None when its token is not set."""
    names = ENV_CREDENTIALS.get(provider)
    if names is None:
        return None
    account_id, auth_token = (str(getattr(settings, name, "") or "") for name in names)
    return ProviderCredentials(account_id, auth_token) if auth_token else None


def credentials_for(*, provider: str, line: str = "") -> ProviderCredentials | None:
    """The credentials of a call on ``line``: the number's own when it has an auth token,
    else the server's; None when neither is configured. Reads the database when a line
    is given (sync: from async code, through ``database_sync_to_async``)."""
    if line:
        number = phone_number_get(provider=provider, line=line)
        if number is not None and number.auth_token is not None:
            return ProviderCredentials(number.account_id, number.auth_token.reveal())
    return env_credentials(provider=provider)


def credentials_line(*, provider: str, called: str) -> str:
    """The line whose credentials sign calls to the number ``called``: the number's id
    when it has its own auth token (whether or not it is active: its account signs
    either way), else "" (the server's)."""
    number = phone_number_find(provider=provider, number=called)
    if number is None or not number.has_own_credentials:
        return ""
    return str(number.pk)
