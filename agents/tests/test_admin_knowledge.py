"""A knowledge source's page shows the field of its kind, and what the agent reads of it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from agents.models import SOURCE_KIND_FIELD, Agent, KnowledgeChunk, KnowledgeSource
from agents.services import knowledge_source_ingest
from voiceagent.tests.admin_data import business_owner, owner_agent, signed_in

pytestmark = pytest.mark.django_db

ADD = reverse("admin:agents_knowledgesource_add")
CONTENT_INPUTS = {"content": 'name="content"', "file": 'name="file"', "url": 'name="url"'}


@pytest.fixture
def bea() -> User:
    return business_owner("bea")


@pytest.fixture
def salon(bea: User) -> Agent:
    return owner_agent(bea, name="Salon", public_id="salon")


@pytest.fixture(params=["owner", "superuser"])
def reader(request: pytest.FixtureRequest, bea: User, owner: User) -> Client:
    return signed_in(bea if request.param == "owner" else owner)


def _source(salon: Agent, kind: str) -> KnowledgeSource:
    values: dict[str, dict[str, Any]] = {
        "content": {"content": "# Parking\nBehind the building."},
        "file": {"file": SimpleUploadedFile("prices.pdf", b"%PDF-1.4 not parsed here")},
        "url": {"url": "https://salon.example.com/faq"},
    }
    field = SOURCE_KIND_FIELD[kind]
    return KnowledgeSource.objects.create(
        agent=salon, title=f"A {kind} source", kind=kind, **values[field]
    )


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("text", "content"),
        ("markdown", "content"),
        ("html", "content"),
        ("pdf", "file"),
        ("url", "url"),
    ],
)
def test_a_source_shows_only_the_field_of_its_kind(
    kind: str, field: str, salon: Agent, reader: Client
) -> None:
    source = _source(salon, kind)
    page = reader.get(reverse("admin:agents_knowledgesource_change", args=[source.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for name, tag in CONTENT_INPUTS.items():
        assert (tag in html) is (name == field), name
    # The kind is shown, not offered: another kind is another source.
    assert 'name="kind"' not in html
    assert source.get_kind_display() in html
    assert "for another kind, add a new source" in html
    for heading in ["Content", "Processing", "Passages"]:
        assert f">{heading}</h2>" in html


def test_the_add_page_offers_every_field_with_the_script_that_shows_one(
    salon: Agent, reader: Client
) -> None:
    html = reader.get(ADD).content.decode()
    for tag in CONTENT_INPUTS.values():
        assert tag in html
    assert "/static/voiceagent/admin/knowledge_source.js" in html
    assert "data-kind-fields=" in html and "&quot;pdf&quot;: &quot;file&quot;" in html
    assert ">Processing</h2>" not in html  # nothing to show before it is saved


def _add(client: Client, agent: Agent, **fields: object) -> str:
    response = client.post(ADD, {"agent": agent.pk, "title": "FAQ", **fields})
    return "" if response.status_code == 302 else response.content.decode()


def test_a_kind_without_its_field_is_refused(salon: Agent, bea: User) -> None:
    client = signed_in(bea)
    page = _add(client, salon, kind="url", content="Parking is behind the building.")
    assert "Required for this kind of source." in page
    page = _add(client, salon, kind="pdf", url="https://salon.example.com/prices")
    assert "Required for this kind of source." in page
    assert not KnowledgeSource.objects.exists()


def test_fields_of_other_kinds_are_not_kept(salon: Agent, bea: User) -> None:
    """A field typed before the kind was changed (hidden by the page's script, still
    posted) is emptied: the source keeps only what it is made from."""
    page = _add(
        signed_in(bea),
        salon,
        kind="text",
        content="Parking is behind the building.",
        url="https://salon.example.com/typed-first",
    )
    assert page == ""
    source = KnowledgeSource.objects.get()
    assert (source.kind, source.url) == ("text", "")
    assert source.content == "Parking is behind the building."


def test_the_source_page_shows_the_passages_the_agent_reads(salon: Agent, reader: Client) -> None:
    source = KnowledgeSource.objects.create(
        agent=salon,
        title="FAQ",
        kind="markdown",
        content="# Parking\nThere is a car park behind the building.\n\n"
        "# Prices\nA haircut costs 30 pounds.",
    )
    knowledge_source_ingest(source_id=source.pk)
    assert KnowledgeChunk.objects.filter(source=source).count() == 2
    html = reader.get(reverse("admin:agents_knowledgesource_change", args=[source.pk]))
    text = html.content.decode()
    passages = text.index("What the agent reads")  # after the content's own field
    parking = text.index("<td>Parking</td>", passages)
    assert parking < text.index("There is a car park behind the building.", passages)
    prices = text.index("<td>Prices</td>", passages)
    assert parking < prices < text.index("A haircut costs 30 pounds.", passages)


def test_a_source_not_processed_yet_says_so(salon: Agent, bea: User) -> None:
    source = _source(salon, "text")
    html = signed_in(bea).get(reverse("admin:agents_knowledgesource_change", args=[source.pk]))
    assert "No passages yet" in html.content.decode()


def test_another_owners_source_is_not_found(salon: Agent) -> None:
    source = _source(salon, "text")
    olga = signed_in(business_owner("olga"))
    response = olga.get(reverse("admin:agents_knowledgesource_change", args=[source.pk]))
    assert response.status_code in (302, 404)
    assert (
        olga.get(reverse("admin:agents_knowledgesource_changelist")).context["cl"].result_count == 0
    )
