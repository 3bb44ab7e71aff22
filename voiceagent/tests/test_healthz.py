"""GET /healthz reports the database, channel layer and task broker."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.db import connections
from django.test import AsyncClient as DjangoAsyncClient
from pytest_django import Settings

from conftest import redis_url
from voiceagent.celery import app as celery_app
from voiceagent.config import channel_layers

pytestmark = pytest.mark.django_db(transaction=True)


class AsyncClient(DjangoAsyncClient):
    """Each request in its own thread-sensitive context, as Django's ASGI handler runs it
    under a real server. Without one, the view's sync middleware holds asgiref's single
    sync thread while the view waits for the server instance's registration (a task of
    its own context, which needs that thread): the registration would time out (3 s)."""

    async def request(self, **request: Any) -> Any:
        async with ThreadSensitiveContext():
            return await super().request(**request)


@pytest.fixture(autouse=True)
async def _close_thread_connections() -> object:
    """The test client keeps Django from closing connections after a request; the
    health check's database thread would otherwise hold one past the test run."""
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture
def real_broker() -> object:
    """Lets the health check talk to the configured broker instead of eager mode."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    yield celery_app.conf
    # Set as an item, which is what attribute assignment does in Celery's settings
    # (its ``broker_url`` attribute is a read-only property).
    celery_app.conf.task_always_eager, celery_app.conf["broker_url"] = previous


async def test_all_services_fine_gives_200() -> None:
    response = await AsyncClient().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "channel_layer", "task_broker"}
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


async def test_unreachable_broker_gives_503(real_broker: object) -> None:
    celery_app.conf["broker_url"] = "redis://:secret-password@127.0.0.1:1/0"
    response = await AsyncClient().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["task_broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert "secret-password" not in response.content.decode()


async def test_unreachable_channel_layer_gives_503(settings: Settings) -> None:
    settings.CHANNEL_LAYERS = channel_layers("redis://127.0.0.1:1/0")
    response = await AsyncClient().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"]["ok"] is False


async def _staff_client() -> AsyncClient:
    from django.contrib.auth import get_user_model

    staff = await get_user_model().objects.acreate(username="ops", is_staff=True)
    client = AsyncClient()
    await client.aforce_login(staff)
    return client


async def test_anonymous_callers_see_states_and_staff_see_details(settings: Settings) -> None:
    settings.CHANNEL_LAYERS = channel_layers("redis://internal-redis.example:6390/0")
    anonymous = await AsyncClient().get("/healthz")
    assert anonymous.status_code == 503
    assert anonymous.json() == {
        "status": "unavailable",
        "checks": {
            "database": {"ok": True},
            "channel_layer": {"ok": False},
            "task_broker": {"ok": True},
        },
    }
    assert "internal-redis" not in anonymous.content.decode()
    assert "6390" not in anonymous.content.decode()
    staff = await (await _staff_client()).get("/healthz")
    assert staff.status_code == 503
    details = staff.json()["checks"]
    assert details["channel_layer"]["error"] and details["database"]["backend"]


async def test_post_is_not_allowed() -> None:
    assert (await AsyncClient().post("/healthz")).status_code == 405


@pytest.mark.redis
async def test_redis_channel_layer_and_broker_are_checked_for_real(
    settings: Settings, real_broker: object
) -> None:
    settings.CHANNEL_LAYERS = channel_layers(redis_url())
    celery_app.conf["broker_url"] = redis_url()
    response = await (await _staff_client()).get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["channel_layer"]["backend"] == "RedisChannelLayer"
    assert body["checks"]["task_broker"]["backend"] == "redis"
