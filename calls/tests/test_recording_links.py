"""Serving recordings: signed, expiring links for the owner only, byte ranges, nothing
under MEDIA_URL; and retention deleting exactly the files that are due."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.http import Http404
from django.test import AsyncClient, Client, RequestFactory
from django.utils import timezone
from pytest_django import Settings

from agents.models import Agent
from calls.models import CallLog
from calls.realtime.wav import wav_header
from calls.recordings import recording_token_call_id, recording_url
from calls.services import call_logs_purge_expired

WAV = wav_header(sample_rate=8000, frames=1000) + bytes(range(256)) * 15 + bytes(160)


def _recorded(agent: Agent, *, days_ago: int = 0, content: bytes = WAV) -> CallLog:
    call = CallLog.objects.create(
        agent=agent,
        channel="web",
        engine="offline",
        status="completed",
        started_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    call.recording.save(f"{call.pk}.wav", ContentFile(content), save=True)
    return call


def _name(call: CallLog) -> str:
    name = call.recording.name
    assert name
    return name


async def _body(response: Any) -> bytes:
    return b"".join([chunk async for chunk in response.streaming_content])


@pytest.fixture
def other_staff(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user(
        username="other", password="not-used-1", is_staff=True
    )


def test_a_call_without_a_recording_has_no_link(call: CallLog) -> None:
    assert recording_url(call=call) == ""


@pytest.mark.django_db
def test_links_name_their_call_and_refuse_forgery_and_bad_lifetimes(agent: Agent) -> None:
    call = _recorded(agent)
    url = recording_url(call=call, ttl_seconds=60)
    assert url.startswith("/calls/recordings/") and url.endswith("/")
    token = url.split("/")[-2]
    assert recording_token_call_id(token) == str(call.pk)
    assert recording_token_call_id(token[:-2] + "xx") is None
    assert recording_token_call_id("nonsense") is None
    with pytest.raises(ValueError):
        recording_url(call=call, ttl_seconds=0)


@pytest.mark.django_db(transaction=True)
async def test_the_owner_plays_the_recording_whole_or_by_range(owner: User, agent: Agent) -> None:
    from asgiref.sync import sync_to_async

    call = await sync_to_async(_recorded)(agent)
    url = recording_url(call=call)
    client = AsyncClient()
    await client.aforce_login(owner)

    whole = await client.get(url)
    assert whole.status_code == 200
    assert whole["Content-Type"] == "audio/wav"
    assert whole["Content-Length"] == str(len(WAV))
    assert whole["Accept-Ranges"] == "bytes"
    assert whole["Cache-Control"] == "private, no-store"
    assert await _body(whole) == WAV

    part = await client.get(url, headers={"Range": "bytes=44-99"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 44-99/{len(WAV)}"
    assert await _body(part) == WAV[44:100]

    tail = await client.get(url, headers={"Range": "bytes=-10"})
    assert (tail.status_code, await _body(tail)) == (206, WAV[-10:])
    open_ended = await client.get(url, headers={"Range": "bytes=4000-"})
    assert await _body(open_ended) == WAV[4000:]

    beyond = await client.get(url, headers={"Range": f"bytes={len(WAV)}-"})
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(WAV)}"
    several = await client.get(url, headers={"Range": "bytes=0-1,5-6"})  # not served: all
    assert several.status_code == 200


@pytest.mark.django_db(transaction=True)
async def test_nobody_else_gets_it_and_a_stale_or_forged_link_is_a_404(
    owner: User, agent: Agent, other_staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asgiref.sync import sync_to_async

    call = await sync_to_async(_recorded)(agent)
    url = recording_url(call=call, ttl_seconds=60)

    anonymous = await AsyncClient().get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]

    stranger = AsyncClient()
    await stranger.aforce_login(other_staff)
    assert (await stranger.get(url)).status_code == 404  # as for a call that does not exist

    client = AsyncClient()
    await client.aforce_login(owner)
    assert (await client.get(url[:-3] + "xx/")).status_code == 404
    later = time.time() + 61
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert (await client.get(url)).status_code == 404


@pytest.mark.django_db
def test_other_owners_and_the_admin_page_show_a_signed_link_not_the_file(
    owner: User, agent: Agent, other_staff: User
) -> None:
    call = _recorded(agent)
    client = Client()
    client.force_login(owner)
    page = client.get(f"/admin/calls/calllog/{call.pk}/change/").content.decode()
    assert "/calls/recordings/" in page and "<audio" in page
    assert _name(call) not in page  # the storage path is never shown


def test_debug_media_never_serves_recordings(settings: Settings) -> None:
    from voiceagent.views import debug_media

    media = Path(settings.MEDIA_ROOT)
    (media / "recordings").mkdir(parents=True)
    (media / "recordings" / "a.wav").write_bytes(WAV)
    (media / "knowledge").mkdir()
    (media / "knowledge" / "a.txt").write_text("public")
    request = RequestFactory().get("/media/x")
    for path in ("recordings/a.wav", "./recordings/a.wav", "knowledge/../recordings/a.wav"):
        with pytest.raises(Http404):
            debug_media(request, path)
    with pytest.raises(Http404):
        debug_media(request, "Recordings/a.wav")  # a case-insensitive file system
    assert debug_media(request, "knowledge/a.txt").status_code == 200


@pytest.mark.django_db
def test_retention_deletes_the_recordings_that_are_due_and_no_others(
    agent: Agent, other_staff: User, django_capture_on_commit_callbacks: Any
) -> None:
    agent.retention_days = 30
    agent.save()
    keeper = Agent.objects.create(
        owner=other_staff, name="Keeps calls", instructions="x", retention_days=365
    )
    due, recent = _recorded(agent, days_ago=31), _recorded(agent, days_ago=29)
    others = _recorded(keeper, days_ago=31)
    storage = due.recording.storage
    names = {c: _name(c) for c in (due, recent, others)}
    assert all(storage.exists(name) for name in names.values())

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert call_logs_purge_expired() == 1
    assert len(callbacks) == 1

    assert not storage.exists(names[due])
    assert storage.exists(names[recent]) and storage.exists(names[others])
    assert set(CallLog.objects.values_list("pk", flat=True)) == {recent.pk, others.pk}


@pytest.mark.django_db
def test_a_rolled_back_purge_keeps_the_files(agent: Agent) -> None:
    from django.db import transaction

    agent.retention_days = 30
    agent.save()
    due = _recorded(agent, days_ago=31)
    with pytest.raises(RuntimeError), transaction.atomic():
        call_logs_purge_expired()
        raise RuntimeError("the caller's transaction failed")
    assert due.recording.storage.exists(_name(due))
    assert CallLog.objects.filter(pk=due.pk).exists()


@pytest.mark.django_db
def test_owners_turn_recording_on_in_the_agents_admin(owner: User, agent: Agent) -> None:
    client = Client()
    client.force_login(owner)
    page = client.get(f"/admin/agents/agent/{agent.pk}/change/").content.decode()
    assert 'name="record_calls"' in page and 'name="recording_notice"' in page


@pytest.mark.django_db(transaction=True)
async def test_the_api_gives_its_key_owner_a_link_that_plays_without_a_session(
    stranger: User, other_staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asgiref.sync import sync_to_async

    from accounts.services import api_key_create

    owner = stranger  # not a superuser: sees only their own calls
    agent = await Agent.objects.acreate(owner=owner, name="Shop", instructions="x")
    call = await sync_to_async(_recorded)(agent)
    _, key = await sync_to_async(api_key_create)(user=owner, name="t")
    detail = await AsyncClient().get(
        f"/api/calls/{call.pk}/", headers={"Authorization": f"Bearer {key}"}
    )
    assert detail.status_code == 200, detail.content
    link = detail.json()["recording_url"]
    assert link.startswith("http://testserver/calls/recordings/")
    played = await AsyncClient().get(link)  # no key, no session: the link is enough
    assert played.status_code == 200 and await _body(played) == WAV

    # It stays the key owner's: once the agent belongs to someone else, it is a 404.
    agent.owner = other_staff
    await agent.asave()
    assert (await AsyncClient().get(link)).status_code == 404
    agent.owner = owner
    await agent.asave()
    # And it expires (15 minutes).
    later = time.time() + 15 * 60 + 1
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert (await AsyncClient().get(link)).status_code == 404
