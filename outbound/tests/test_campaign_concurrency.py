"""A campaign of 200 contacts on PostgreSQL, dispatched by three dispatchers at once
while the provider completes calls: the campaign never has more calls up than its limit
and nobody is called twice."""

from __future__ import annotations

import itertools
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connections

from calls.telephony.tests.fake_rest import Answer, FakeProviderRest, RecordedRequest
from contacts.models import Contact
from outbound import services
from outbound.campaign_services import campaign_save, campaign_start
from outbound.dispatch_services import outbound_dispatch
from outbound.models import AttemptResult, AttemptStatus, CallAttempt, Campaign, CampaignStatus
from outbound.tests.conftest import TWILIO_TOKEN, twilio_post
from voiceagent import background

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CONTACTS = 200
LIMIT = 5


class Provider:
    """Twilio as far as the campaign can tell: each call placed rings for a moment, is
    over, and then (as Twilio does) its final status is sent."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.live = 0
        self.most_live = 0
        self.called: list[str] = []
        # (when the call is over, attempt id, call sid)
        self.pending: list[tuple[float, int, str]] = []
        self._sids = itertools.count(1)
        self._rng = random.Random(7)

    def answer(self, request: RecordedRequest) -> Answer:
        sid = f"CA{next(self._sids):032d}"
        attempt_id = int(request.form["StatusCallback"].rstrip("/").split("/")[-2])
        with self.lock:
            self.live += 1
            self.most_live = max(self.most_live, self.live)
            self.called.append(request.form["To"])
            duration = 0.1 + self._rng.random() * 0.2  # rings, talks: 100-300 ms
            self.pending.append((time.monotonic() + duration, attempt_id, sid))
        return Answer(201, {"sid": sid, "status": "queued"})

    def complete_calls(self, stop: threading.Event, errors: list[BaseException]) -> None:
        try:
            while not stop.is_set():
                now = time.monotonic()
                with self.lock:
                    over = [call for call in self.pending if call[0] <= now]
                    self.pending = [call for call in self.pending if call[0] > now]
                if not over:
                    time.sleep(0.005)
                    continue
                for _, attempt_id, sid in sorted(over):
                    with self.lock:
                        self.live -= 1  # the call is over; then Twilio says so
                    response = twilio_post(
                        f"/twilio/outbound/{attempt_id}/status/",
                        {"CallSid": sid, "CallStatus": "completed", "Direction": "outbound-api"},
                    )
                    assert response.status_code == 204, response.content
        except BaseException as exc:  # reported by the test
            errors.append(exc)
            stop.set()
        finally:
            connections.close_all()


def _dispatch_until_done(
    campaign_id: int, stop: threading.Event, errors: list[BaseException]
) -> None:
    try:
        while not stop.is_set():
            outbound_dispatch()
            if Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.COMPLETED).exists():
                return
            time.sleep(0.002)
    except BaseException as exc:  # reported by the test
        errors.append(exc)
        stop.set()
    finally:
        connections.close_all()


class Workers:
    """Dial tasks run by several workers at once, as Celery workers run them (embedded,
    one background thread would place every call in turn)."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="dial-worker")

    def send(self, attempt_id: int) -> None:
        self.pool.submit(self._dial, attempt_id)

    @staticmethod
    def _dial(attempt_id: int) -> None:
        try:
            services.outbound_attempt_dial(attempt_id=attempt_id)
        finally:
            connections.close_all()


def test_a_campaign_of_200_never_exceeds_its_limit_and_calls_nobody_twice(
    agent: Any, policy: Any, line: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    workers = Workers()
    monkeypatch.setattr(services, "_dial_task_send", workers.send)
    provider = Provider()
    rest = FakeProviderRest(Answer(500, {}), responder=provider.answer).start()
    settings.TWILIO_API_BASE_URL = rest.url
    settings.TWILIO_ACCOUNT_SID = "AC" + "1" * 32
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    agent.max_concurrent_calls = 50
    agent.save()
    line.max_outbound_calls = 50
    line.save()
    contacts = Contact.objects.bulk_create(
        Contact(owner=agent.owner, agent=agent, phone=f"+1212555{n:04d}") for n in range(CONTACTS)
    )
    campaign = campaign_save(
        campaign=Campaign(owner=agent.owner),
        changes={
            "name": "Two hundred",
            "agent": agent,
            "phone_number": line,
            "max_concurrent_calls": LIMIT,
        },
        contacts=contacts,
    )
    campaign_start(campaign=campaign)
    stop = threading.Event()
    errors: list[BaseException] = []
    completer = threading.Thread(target=provider.complete_calls, args=(stop, errors))
    dispatchers = [
        threading.Thread(target=_dispatch_until_done, args=(campaign.pk, stop, errors))
        for _ in range(3)
    ]
    completer.start()
    for thread in dispatchers:
        thread.start()
    try:
        deadline = time.monotonic() + 120
        for thread in dispatchers:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        assert errors == []
        assert not any(thread.is_alive() for thread in dispatchers), "the campaign never ended"
    finally:
        stop.set()
        completer.join(timeout=30)
        background.wait_idle(30)
        workers.pool.shutdown(wait=True)
        rest.stop()
    assert errors == []
    assert provider.most_live <= LIMIT
    assert provider.most_live == LIMIT  # and its lines were used
    assert len(provider.called) == CONTACTS
    assert len(set(provider.called)) == CONTACTS  # nobody twice
    attempts = CallAttempt.objects.filter(campaign=campaign)
    assert attempts.count() == CONTACTS
    assert set(attempts.values_list("status", "result").distinct()) == {
        (AttemptStatus.DONE, AttemptResult.ANSWERED)
    }
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.COMPLETED
