"""Twilio calls routed by the number called (``POST /twilio/voice/``) and checked with the
number's own credentials: on the webhook and on the Media Stream's upgrade."""

from __future__ import annotations

import contextlib
import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.test import Client
from twilio.request_validator import RequestValidator

from agents.models import Agent
from calls import services
from calls.models import CallLog
from calls.telephony import grants
from calls.telephony.credentials import ProviderCredentials, credentials_for
from calls.telephony.webhook import phone_call_answer
from calls.tests.conftest import calls_settled
from calls.tests.fake_openai import FakeRealtimeServer
from phone_numbers.models import PhoneNumber
from phone_numbers.services import phone_number_save
from voiceagent.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

ENV_TOKEN = "twilio-env-token-not-real"
OWN_TOKEN = "twilio-own-token-not-real"
PUBLIC = "https://voice.example.com"
NUMBER = "+14155550100"  # routed to the agent, on the server's account
OWN_NUMBER = "+14155550111"  # routed to the agent, on its owner's own account
STREAM = "wss://voice.example.com/ws/twilio/media/"


@pytest.fixture
def twilio_settings(settings: Any) -> Any:
    settings.TWILIO_ACCOUNT_SID = "ACenv"
    settings.TWILIO_AUTH_TOKEN = ENV_TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.ALLOWED_HOSTS = ["voice.example.com", "testserver"]
    return settings


def _number(agent: Agent, number: str, **changes: Any) -> PhoneNumber:
    return phone_number_save(
        phone_number=PhoneNumber(owner=agent.owner, agent=agent),
        changes={"provider": "twilio", "number": number, **changes},
    )


@pytest.fixture
def numbers(agent: Agent) -> dict[str, PhoneNumber]:
    return {
        "env": _number(agent, NUMBER),
        "own": _number(agent, OWN_NUMBER, account_id="ACown", auth_token=OWN_TOKEN),
    }


def _form(to: str, call_sid: str = "CA0001") -> dict[str, str]:
    return {
        "CallSid": call_sid,
        "AccountSid": "AC0001",
        "From": "+14155550199",
        "To": to,
        "CallStatus": "ringing",
        "Direction": "inbound",
    }


def _post(form: dict[str, str], *, token: str = ENV_TOKEN, path: str = "/twilio/voice/") -> Any:
    signature = RequestValidator(token).compute_signature(f"{PUBLIC}{path}", form)
    return Client().post(
        path, form, HTTP_X_TWILIO_SIGNATURE=signature, HTTP_HOST="voice.example.com", secure=True
    )


def _xml(twiml: bytes) -> ET.Element:
    return ET.fromstring(twiml)  # noqa: S314 (our own server's TwiML)


def _stream_of(twiml: bytes) -> tuple[str, str]:
    stream = _xml(twiml).find("./Connect/Stream")
    assert stream is not None, twiml
    parameters = {p.get("name"): p.get("value") for p in stream.findall("Parameter")}
    return stream.get("url") or "", parameters["call_token"] or ""


def _refused(response: Any) -> bool:
    root = _xml(response.content)
    return root.find("Connect") is None and root.find("Say") is not None


# -- credentials


def test_credentials_are_the_numbers_own_else_the_servers(
    numbers: dict[str, PhoneNumber], twilio_settings: Any
) -> None:
    own, env = numbers["own"], numbers["env"]
    assert credentials_for(provider="twilio", line=str(own.pk)) == ProviderCredentials(
        "ACown", OWN_TOKEN
    )
    server = ProviderCredentials("ACenv", ENV_TOKEN)
    assert credentials_for(provider="twilio") == server
    assert credentials_for(provider="twilio", line=str(env.pk)) == server  # no own token
    assert credentials_for(provider="twilio", line="999999") == server  # no such number
    assert credentials_for(provider="twilio", line="not-a-line") == server
    assert credentials_for(provider="plivo", line=str(own.pk)) is None  # not Plivo's number
    twilio_settings.PLIVO_AUTH_ID, twilio_settings.PLIVO_AUTH_TOKEN = "MAenv", "plivo-token"
    assert credentials_for(provider="plivo") == ProviderCredentials("MAenv", "plivo-token")
    twilio_settings.TWILIO_AUTH_TOKEN = ""
    assert credentials_for(provider="twilio") is None
    assert credentials_for(provider="twilio", line=str(own.pk)) is not None
    assert OWN_TOKEN not in repr(credentials_for(provider="twilio", line=str(own.pk)))


# -- routing by the number called


def test_a_known_number_reaches_its_agent(
    agent: Agent, numbers: dict[str, PhoneNumber], twilio_settings: Any
) -> None:
    response = _post(_form(NUMBER))
    assert response.status_code == 200
    url, token = _stream_of(response.content)
    assert url == STREAM  # the server's account: the usual stream address
    grant = grants.stream_grant(provider="twilio", token=token, call_id="CA0001")
    assert grant is not None
    assert (grant.agent_public_id, grant.called_number, grant.line) == (agent.public_id, NUMBER, "")


def test_the_called_number_is_read_as_e164(
    agent: Agent, numbers: dict[str, PhoneNumber], twilio_settings: Any
) -> None:
    response = _post(_form(NUMBER.lstrip("+")))  # as Plivo sends numbers
    assert not _refused(response)


def test_unknown_and_inactive_numbers_are_refused_politely(
    agent: Agent,
    numbers: dict[str, PhoneNumber],
    twilio_settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="calls.telephony.webhook")
    response = _post(_form("+14155550177", "CA0002"))
    assert response.status_code == 200 and _refused(response)
    assert _xml(response.content).find("Hangup") is not None
    assert "Refused twilio call CA0002 to +14155550177: unknown number" in caplog.text

    phone_number_save(phone_number=numbers["env"], changes={"is_active": False})
    assert _refused(_post(_form(NUMBER, "CA0003")))
    assert "Refused twilio call CA0003 to +14155550100: inactive number" in caplog.text
    assert not CallLog.objects.exists()


def test_a_number_of_an_inactive_agent_is_refused(
    agent: Agent, numbers: dict[str, PhoneNumber], twilio_settings: Any
) -> None:
    agent.is_active = False
    agent.save()
    assert _refused(_post(_form(NUMBER)))


def test_a_number_is_routed_only_for_its_own_provider(
    agent: Agent, numbers: dict[str, PhoneNumber], twilio_settings: Any
) -> None:
    # The same number called through another provider (as Plivo will be) is not known
    # there: only Twilio's row routes it.
    answer = phone_call_answer(provider="plivo", call_id="p-1", caller="+1", called=NUMBER)
    assert answer == services.Refusal("unknown number")
    answer = phone_call_answer(provider="twilio", call_id="CA9", caller="+1", called=NUMBER)
    assert isinstance(answer, str)


def test_the_per_agent_address_still_works(
    agent: Agent, numbers: dict[str, PhoneNumber], twilio_settings: Any
) -> None:
    path = f"/twilio/voice/{agent.public_id}/"
    response = _post(_form("+14155550177"), path=path)  # a number nobody added
    url, token = _stream_of(response.content)
    assert url == STREAM
    assert grants.stream_grant(provider="twilio", token=token, call_id="CA0001") is not None
    # The per-agent address takes the server's account only: another account's token
    # cannot send calls to an agent, even for a number set up with it.
    assert _post(_form(OWN_NUMBER), token=OWN_TOKEN, path=path).status_code == 403


# -- signatures with the number's own credentials


def test_the_webhook_of_a_number_with_its_own_token_is_checked_with_it(
    agent: Agent, numbers: dict[str, PhoneNumber], twilio_settings: Any
) -> None:
    own = numbers["own"]
    response = _post(_form(OWN_NUMBER), token=OWN_TOKEN)
    assert response.status_code == 200
    url, token = _stream_of(response.content)
    assert url == f"{STREAM}{own.pk}/"  # the stream names the line: no query string
    grant = grants.stream_grant(provider="twilio", token=token, call_id="CA0001")
    assert grant is not None and grant.line == str(own.pk)

    assert _post(_form(OWN_NUMBER, "CA0002"), token=ENV_TOKEN).status_code == 403
    assert _post(_form(NUMBER, "CA0003"), token=OWN_TOKEN).status_code == 403
    unsigned = Client().post(
        "/twilio/voice/", _form(OWN_NUMBER, "CA0004"), HTTP_HOST="voice.example.com", secure=True
    )
    assert unsigned.status_code == 403


def test_an_unknown_number_is_checked_with_the_servers_token(
    agent: Agent, numbers: dict[str, PhoneNumber], twilio_settings: Any
) -> None:
    assert _post(_form("+14155550177"), token=OWN_TOKEN).status_code == 403
    assert _refused(_post(_form("+14155550177"), token=ENV_TOKEN))
    twilio_settings.TWILIO_AUTH_TOKEN = ""
    assert _post(_form("+14155550177"), token=ENV_TOKEN).status_code == 503
    # A number with its own credentials needs no server account.
    assert not _refused(_post(_form(OWN_NUMBER, "CA0005"), token=OWN_TOKEN))


def test_an_inactive_number_with_its_own_token_is_refused_politely(
    agent: Agent, numbers: dict[str, PhoneNumber], twilio_settings: Any
) -> None:
    phone_number_save(phone_number=numbers["own"], changes={"is_active": False})
    assert _post(_form(OWN_NUMBER), token=ENV_TOKEN).status_code == 403
    assert _refused(_post(_form(OWN_NUMBER), token=OWN_TOKEN))


OPEN: list[WebsocketCommunicator] = []


@pytest.fixture(autouse=True)
async def streams_closed() -> AsyncIterator[None]:
    yield
    while OPEN:
        with contextlib.suppress(Exception):
            await OPEN.pop().disconnect(timeout=5)


async def _upgrade(path: str, *, token: str | None) -> tuple[WebsocketCommunicator, bool]:
    headers = [(b"host", b"voice.example.com")]
    if token is not None:
        signature = RequestValidator(token).compute_signature(f"wss://voice.example.com{path}", {})
        headers.append((b"x-twilio-signature", signature.encode()))
    communicator = WebsocketCommunicator(application, path, headers)
    communicator.scope["scheme"] = "wss"
    OPEN.append(communicator)
    connected, _ = await communicator.connect(timeout=5)
    return communicator, connected


async def test_the_stream_of_a_line_is_checked_with_the_lines_token(
    numbers: dict[str, PhoneNumber], twilio_settings: Any
) -> None:
    line = f"/ws/twilio/media/{numbers['own'].pk}/"
    assert (await _upgrade(line, token=OWN_TOKEN))[1]
    assert not (await _upgrade(line, token=ENV_TOKEN))[1]
    assert not (await _upgrade(line, token=None))[1]
    # And the server's stream with the server's token only.
    assert (await _upgrade("/ws/twilio/media/", token=ENV_TOKEN))[1]
    assert not (await _upgrade("/ws/twilio/media/", token=OWN_TOKEN))[1]
    assert not (await _upgrade("/ws/twilio/media/", token=None))[1]


def _start(call_sid: str, token: str) -> str:
    return json.dumps(
        {
            "event": "start",
            "sequenceNumber": "1",
            "streamSid": "MZ0001",
            "start": {
                "streamSid": "MZ0001",
                "accountSid": "ACown",
                "callSid": call_sid,
                "tracks": ["inbound"],
                "customParameters": {"call_token": token},
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            },
        }
    )


async def test_a_call_to_a_number_with_its_own_account_streams_on_its_line(
    agent: Agent,
    numbers: dict[str, PhoneNumber],
    twilio_settings: Any,
    fake: FakeRealtimeServer,
) -> None:
    fake.greeting_chunks = [b"\x7f" * 400]
    response = await sync_to_async(_post)(_form(OWN_NUMBER), token=OWN_TOKEN)
    url, token = _stream_of(response.content)
    stream, connected = await _upgrade(url.removeprefix("wss://voice.example.com"), token=OWN_TOKEN)
    assert connected
    await stream.send_to(text_data=_start("CA0001", token))
    while json.loads(await stream.receive_from(timeout=5))["event"] != "mark":
        pass  # the greeting has reached Twilio: the call is up
    await stream.send_to(text_data=json.dumps({"event": "stop", "streamSid": "MZ0001"}))
    await calls_settled()
    call = await CallLog.objects.aget()
    assert (call.provider_call_id, call.caller_number) == ("CA0001", "+14155550199")


async def test_a_token_for_another_line_is_refused_on_the_stream(
    agent: Agent, numbers: dict[str, PhoneNumber], twilio_settings: Any
) -> None:
    # A genuine token for a call on the server's account, presented on the line's
    # stream (signed by the number's account): refused, no call.
    response = await sync_to_async(_post)(_form(NUMBER), token=ENV_TOKEN)
    _, token = _stream_of(response.content)
    line = f"/ws/twilio/media/{numbers['own'].pk}/"
    stream, connected = await _upgrade(line, token=OWN_TOKEN)
    assert connected
    await stream.send_to(text_data=_start("CA0001", token))
    closed = await stream.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 1008}
    assert not await CallLog.objects.aexists()


def test_numbers_belong_to_their_agents_owner(
    agent: Agent, stranger: User, twilio_settings: Any
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        phone_number_save(
            phone_number=PhoneNumber(owner=stranger, agent=agent),
            changes={"provider": "twilio", "number": NUMBER},
        )
    assert "agent" in error.value.message_dict
