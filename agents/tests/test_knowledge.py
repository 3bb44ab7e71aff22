"""Knowledge base: extraction of each source kind, chunking, ingestion, retrieval."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest
from django.core.files.base import ContentFile
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from agents.knowledge import (
    CHUNK_TOKENS,
    chunk_text,
    count_tokens,
    text_from_html,
    text_from_markdown,
)
from agents.models import Agent, KnowledgeChunk, KnowledgeSource, SourceKind
from agents.selectors import knowledge_search
from agents.services import knowledge_source_ingest, knowledge_source_save

pytestmark = pytest.mark.django_db

FAQ = {
    "Parking": "Free parking is available behind the building on Mill Lane. The car park "
    "has twenty spaces and two charging points for electric cars.",
    "Opening hours": "We are open Monday to Friday from nine in the morning until five in "
    "the afternoon. We are closed on weekends and public holidays.",
    "Prices": "A consultation costs 80 pounds. A product demo is free of charge. We accept "
    "cards and bank transfer; invoices are due within thirty days.",
    "Cancellation policy": "Appointments can be cancelled or moved free of charge up to 24 "
    "hours before they start. Later cancellations are charged at half the price.",
    "Accessibility": "The office is on the ground floor with step-free access, an accessible "
    "toilet and a hearing loop at the reception desk.",
    "Location": "Our office is at 12 Mill Lane, Cambridge, five minutes' walk from the "
    "railway station.",
}
QUESTIONS = [
    ("where can I park my car", "Parking"),
    ("is there a charging point for my electric car", "Parking"),
    ("are you open on saturday", "Opening hours"),
    ("what time do you close", "Opening hours"),
    ("how much is a consultation", "Prices"),
    ("can I pay by card", "Prices"),
    ("what if I need to cancel my appointment", "Cancellation policy"),
    ("is there a fee for moving a booking late", "Cancellation policy"),
    ("do you have wheelchair access", "Accessibility"),
    ("is there a hearing loop", "Accessibility"),
    ("what is your address", "Location"),
    ("how far is it from the train station", "Location"),
]


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with text (hand-built, so the test needs no PDF writer)."""
    stream = (
        "BT /F1 12 Tf 72 720 Td 14 TL "
        + " ".join(f"({line.replace('(', '').replace(')', '')}) '" for line in lines)
        + " ET"
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


def _faq_markdown() -> str:
    return "\n\n".join(f"## {title}\n\n{text}" for title, text in FAQ.items())


def _ingested(agent: Agent, **fields: str) -> KnowledgeSource:
    source = KnowledgeSource(agent=agent, **fields)
    source.full_clean()
    source.save()
    ingested = knowledge_source_ingest(source_id=source.pk)
    assert ingested is not None
    return ingested


def test_chunks_follow_headings_and_stay_within_size() -> None:
    long_section = " ".join(
        f"Sentence number {i} talks about the topic at length." for i in range(300)
    )
    chunks = chunk_text(f"# Intro\n\nShort intro.\n\n# Long\n\n{long_section}\n\n# Outro\n\nBye.")
    assert next(c.heading for c in chunks) == "Intro" and chunks[-1].heading == "Outro"
    long_chunks = [c for c in chunks if c.heading == "Long"]
    assert len(long_chunks) >= 3
    assert all(c.tokens <= CHUNK_TOKENS[1] + 60 for c in long_chunks)
    # Consecutive chunks overlap, so an answer on a boundary is found whole.
    first_tail = long_chunks[0].text.split()[-10:]
    assert " ".join(first_tail) in long_chunks[1].text


def test_markdown_and_html_become_plain_text() -> None:
    markdown = "# Title\n\nSome **bold** and [a link](https://x.example) text.\n\n```\ncode\n```"
    assert text_from_markdown(markdown) == "# Title\n\nSome bold and a link text."
    html = (
        "<html><head><style>p{}</style><script>var x=1</script></head><body><h2>Hours</h2>"
        "<p>Open <b>9&ndash;5</b>.</p><ul><li>Mon</li><li>Tue</li></ul></body></html>"
    )
    text = text_from_html(html)
    assert "var x" not in text and "p{}" not in text
    assert "## Hours" in text and "Open 9–5." in text and "Mon" in text
    assert count_tokens("one two three") == 4


@pytest.mark.parametrize("kind", ["text", "markdown", "html"])
def test_each_text_kind_is_ingested_and_searchable(agent: Agent, kind: str) -> None:
    content = {
        "text": "Free parking is available behind the building.",
        "markdown": "## Parking\n\n**Free parking** is available behind the building.",
        "html": "<h2>Parking</h2><p>Free parking is available behind the building.</p>",
    }[kind]
    source = _ingested(agent, title=f"FAQ {kind}", kind=kind, content=content)
    assert source.status == "ready" and source.chunk_count == 1 and source.embedding_model
    passages = knowledge_search(agent_id=agent.pk, query="where do I park?")
    assert passages and "parking" in passages[0].text.lower()
    assert passages[0].source_title == f"FAQ {kind}"


def test_pdf_source(agent: Agent, settings: Settings) -> None:
    source = KnowledgeSource(agent=agent, title="Brochure", kind=SourceKind.PDF)
    source.file.save(
        "brochure.pdf",
        ContentFile(
            minimal_pdf(["Our workshop offers bicycle repairs.", "A full service costs 60 pounds."])
        ),
        save=False,
    )
    source.save()
    ingested = knowledge_source_ingest(source_id=source.pk)
    assert ingested is not None
    assert ingested.status == "ready", ingested.error
    assert "bicycle repairs" in KnowledgeChunk.objects.get(source=ingested).text


def test_broken_pdf_fails_with_a_reason(agent: Agent) -> None:
    source = KnowledgeSource(agent=agent, title="Broken", kind=SourceKind.PDF)
    source.file.save("broken.pdf", ContentFile(b"%PDF-1.4 nonsense"), save=False)
    source.save()
    ingested = knowledge_source_ingest(source_id=source.pk)
    assert ingested is not None
    assert ingested.status == "failed" and "PDF" in ingested.error


@pytest.fixture
def web_page() -> Iterator[str]:
    page = b"<html><body><h1>Menu</h1><p>Our soup of the day is tomato.</p></body></html>"

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/menu"
    server.shutdown()


def test_url_source_is_fetched_when_allowed(
    agent: Agent, web_page: str, settings: Settings
) -> None:
    source = _ingested(agent, title="Menu", kind=SourceKind.URL, url=web_page)
    assert source.status == "ready"
    assert "tomato" in KnowledgeChunk.objects.get(source=source).text
    settings.KNOWLEDGE_ALLOW_URL_FETCH = False
    source = _ingested(agent, title="Menu again", kind=SourceKind.URL, url=web_page)
    assert source.status == "failed" and "disabled" in source.error


def test_kind_specific_fields_are_required(agent: Agent) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Required for this kind"):
        KnowledgeSource(agent=agent, title="x", kind=SourceKind.URL).full_clean()


def test_unchanged_sources_are_not_embedded_again(
    agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _ingested(agent, title="FAQ", kind="text", content="Parking is free.")
    calls: list[int] = []
    import agents.services as services

    original = services.embed

    def counting_embed(texts: Sequence[str], **kw: Any) -> tuple[np.ndarray, str]:
        calls.append(1)
        return original(texts, **kw)

    monkeypatch.setattr(services, "embed", counting_embed)
    knowledge_source_ingest(source_id=source.pk)
    assert calls == []
    source.content = "Parking is free and close."
    source.save()
    knowledge_source_ingest(source_id=source.pk)
    assert calls == [1]


def test_saving_a_source_queues_ingestion(
    agent: Agent, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        source = knowledge_source_save(
            source=KnowledgeSource(
                agent=agent, title="FAQ", kind="markdown", content=_faq_markdown()
            )
        )
    source.refresh_from_db()
    assert source.status == "ready" and source.chunk_count == len(FAQ)


def test_the_right_passage_is_in_the_top_three(agent: Agent) -> None:
    _ingested(agent, title="FAQ", kind="markdown", content=_faq_markdown())
    _ingested(
        agent,
        title="Other",
        kind="text",
        content="Our team loves coffee and long walks. We were founded in 2011.",
    )
    hits = 0
    for question, heading in QUESTIONS:
        top = knowledge_search(agent_id=agent.pk, query=question, k=3)
        hits += any(p.heading == heading for p in top)
    assert hits / len(QUESTIONS) >= 0.9, hits
