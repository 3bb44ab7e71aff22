"""Knowledge base machinery: text extraction, chunking, embeddings and vector search.

Embeddings come from OpenAI (``text-embedding-3-small``) when a key is set, else from
a deterministic local embedding: hashed word unigrams and bigrams with sublinear
term weights, L2-normalised (no model download, same vector search path). Search is
a cosine top-k over a per-agent numpy matrix kept in memory and rebuilt when the
agent's knowledge changes.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import io
import itertools
import logging
import re
import threading
import urllib.parse
import urllib.request
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from openai import AsyncOpenAI

logger = logging.getLogger(__name__)

LOCAL_MODEL = "local-hash-tfidf-1024"
LOCAL_DIMENSIONS = 1024
OPENAI_MODEL = "text-embedding-3-small"
CHUNK_TOKENS = (300, 500)  # target range
OVERLAP_TOKENS = 50
MAX_FETCH_BYTES = 5 * 1024 * 1024
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOPWORDS = frozenset(
    "a an the and or but of to in on at for with is are was were be been it this that "
    "these those you your we our i me my do does did can could would should will as by "
    "from about what which who how when where there here".split()
)


class ExtractionError(Exception):
    """A source whose text cannot be read; the message is shown in the admin."""


# -- extraction


class _TextFromHtml(HTMLParser):
    SKIP = {"script", "style", "noscript", "template", "svg"}
    BLOCK = {
        "p",
        "div",
        "li",
        "br",
        "tr",
        "section",
        "article",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "footer",
        "table",
        "ul",
        "ol",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def text_from_html(markup: str) -> str:
    parser = _TextFromHtml()
    parser.feed(markup)
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\n\s*\n\s*", "\n\n", text).strip()


def text_from_markdown(markdown: str) -> str:
    """Keeps headings (as '#' lines, for chunking) and the words; drops markup."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)  # images
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = re.sub(r"(\*\*|__|\*|_|`)", "", text)
    text = re.sub(r"^\s*[-+*]\s+", "", text, flags=re.M)
    text = re.sub(r"^\s*>\s?", "", text, flags=re.M)
    return html.unescape(text).strip()


def text_from_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ExtractionError(f"The PDF could not be read: {exc}") from None
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise ExtractionError("The PDF has no extractable text (is it a scanned image?).")
    return text


def fetch_url(url: str, *, timeout: float = 10) -> tuple[str, str]:
    """Returns (content type, body text) of a web page."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ExtractionError("Only http and https addresses can be fetched.")
    # The scheme was checked just above.
    request = urllib.request.Request(url, headers={"User-Agent": "voiceagent-knowledge/1.0"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read(MAX_FETCH_BYTES + 1)
            content_type = response.headers.get_content_type()
            charset = response.headers.get_content_charset() or "utf-8"
    except OSError as exc:
        raise ExtractionError(f"The page could not be fetched: {exc}") from None
    if len(body) > MAX_FETCH_BYTES:
        raise ExtractionError("The page is larger than 5 MB.")
    return content_type, body.decode(charset, errors="replace")


# -- chunking


def count_tokens(text: str) -> int:
    """About 0.75 words per token for English prose; good enough for sizing chunks."""
    return max(1, round(len(text.split()) / 0.75))


@dataclass(frozen=True)
class Chunk:
    heading: str
    text: str
    tokens: int


def _sections(text: str) -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) pairs; Markdown-style '#' lines start a section."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for block in re.split(r"\n\s*\n", text):
        lines = block.strip().splitlines()
        if not lines:
            continue
        heading = re.match(r"^#{1,6}\s+(.+)$", lines[0])
        if heading:
            sections.append((heading.group(1).strip()[:300], []))
            lines = lines[1:]
        body = "\n".join(lines).strip()
        if body:
            sections[-1][1].append(body)
    return [(heading, paragraphs) for heading, paragraphs in sections if paragraphs]


def chunk_text(text: str) -> list[Chunk]:
    """Chunks of up to ~500 tokens on heading and paragraph boundaries (long paragraphs
    split on sentences); consecutive chunks of a section overlap by ~50 tokens so that
    an answer that straddles a boundary is still found whole."""
    chunks: list[Chunk] = []
    for heading, paragraphs in _sections(text):
        pieces = [part for paragraph in paragraphs for part in _split_long(paragraph)]
        current: list[str] = []
        size = 0
        fresh = False  # does `current` hold more than the overlap?
        for piece in pieces:
            tokens = count_tokens(piece)
            if fresh and size + tokens > CHUNK_TOKENS[1]:
                body = "\n\n".join(current)
                chunks.append(Chunk(heading, body, count_tokens(body)))
                overlap = " ".join(body.split()[-int(OVERLAP_TOKENS * 0.75) :])
                current, size, fresh = [overlap], count_tokens(overlap), False
            current.append(piece)
            size += tokens
            fresh = True
        if fresh:
            body = "\n\n".join(current)
            chunks.append(Chunk(heading, body, count_tokens(body)))
    return chunks


def _split_long(block: str) -> list[str]:
    if count_tokens(block) <= CHUNK_TOKENS[1]:
        return [block]
    sentences = re.split(r"(?<=[.!?])\s+", block)
    groups: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        current.append(sentence)
        if count_tokens(" ".join(current)) >= CHUNK_TOKENS[0]:
            groups.append(" ".join(current))
            current = []
    if current:
        groups.append(" ".join(current))
    return groups


# -- embeddings


SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly", "er")


def _stem(word: str) -> str:
    """A light suffix stripper: parking/parked/parks → park; enough for lexical search."""
    if word.endswith("'s"):
        word = word[:-2]
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousl":
        word = word[:-1]  # stopped → stopp → stop
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]  # close / closed → clos
    return word


def _words(text: str) -> list[str]:
    return [_stem(w) for w in WORD.findall(text.lower()) if w not in STOPWORDS]


def local_embedding(text: str) -> np.ndarray:
    """Hashed stems, prefixes and word pairs with log-scaled counts, L2-normalised.

    Unsigned hashing: a collision only adds a little noise, it never cancels a match.
    The index applies IDF weights learnt from the agent's own chunks at search time.
    """
    vector = np.zeros(LOCAL_DIMENSIONS, dtype=np.float32)
    words = _words(text)
    # Stems, 4-letter prefixes (cancel/cancellation, wheel/wheelchair) and word pairs.
    features = words + [f"^{w[:4]}" for w in words if len(w) >= 4]
    features += [f"{a} {b}" for a, b in itertools.pairwise(words)]
    for feature in features:
        digest = hashlib.blake2b(feature.encode(), digest_size=4).digest()
        vector[int.from_bytes(digest, "little") % LOCAL_DIMENSIONS] += 1.0
    vector = np.log1p(vector)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def embed(texts: Sequence[str], *, api_key: str, base_url: str) -> tuple[np.ndarray, str]:
    """Embeddings for ``texts`` (rows, float32, unit length) and the model that made them."""
    if not texts:
        return np.zeros((0, LOCAL_DIMENSIONS), dtype=np.float32), LOCAL_MODEL
    if api_key:
        from openai import OpenAI

        client = OpenAI(api_key=api_key, base_url=base_url, timeout=30, max_retries=2)
        rows: list[list[float]] = []
        for start in range(0, len(texts), 256):
            response = client.embeddings.create(
                model=OPENAI_MODEL, input=list(texts[start : start + 256])
            )
            rows.extend(item.embedding for item in response.data)
        matrix = np.asarray(rows, dtype=np.float32)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        return matrix, OPENAI_MODEL
    return np.vstack([local_embedding(text) for text in texts]), LOCAL_MODEL


# A caller is waiting and the session gives a tool 8 s: every attempt (one retry on a
# quick failure) fits in this budget.
QUERY_DEADLINE_SECONDS = 6.0
QUERY_MAX_RETRIES = 1

# One client per event loop and credentials: connections (and TLS) are reused between
# questions; a client's connection pool belongs to the loop that opened it.
_query_clients: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[str, str], AsyncOpenAI]
] = weakref.WeakKeyDictionary()


def _query_client(api_key: str, base_url: str) -> AsyncOpenAI:
    from openai import AsyncOpenAI

    clients = _query_clients.setdefault(asyncio.get_running_loop(), {})
    client = clients.get((api_key, base_url))
    if client is None:
        client = clients[(api_key, base_url)] = AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            timeout=QUERY_DEADLINE_SECONDS,
            max_retries=QUERY_MAX_RETRIES,
        )
    return client


async def embed_query(text: str, *, api_key: str, base_url: str) -> np.ndarray:
    """The OpenAI embedding of one search query (float32, unit length), asynchronously.

    Calls run this in their event loop, never in Channels' shared database thread
    (one slow request there would hold every call's database work); the deadline
    covers the retry too.
    """
    async with asyncio.timeout(QUERY_DEADLINE_SECONDS):
        response = await _query_client(api_key, base_url).embeddings.create(
            model=OPENAI_MODEL, input=[text]
        )
    vector = np.asarray(response.data[0].embedding, dtype=np.float32)
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


# -- search


@dataclass(frozen=True)
class Passage:
    chunk_id: int
    source_title: str
    heading: str
    text: str
    score: float


class VectorIndex:
    """The chunks of one agent as a matrix; cosine similarity by one matrix product.

    For the local embedding, dimensions are weighted by inverse document frequency
    over the agent's chunks (TF-IDF on hashed features), so rare words decide.
    """

    def __init__(
        self, ids: list[int], matrix: np.ndarray, meta: list[tuple[str, str, str]], model: str
    ) -> None:
        self.ids = ids
        self.meta = meta
        self.model = model
        self.idf: np.ndarray | None = None
        if model == LOCAL_MODEL and len(ids):
            document_frequency = (matrix > 0).sum(axis=0)
            self.idf = (np.log((len(ids) + 1) / (document_frequency + 1)) + 1).astype(np.float32)
            matrix = matrix * self.idf
            matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)

    def search(self, query_vector: np.ndarray, k: int = 3) -> list[Passage]:
        if not self.ids:
            return []
        if self.idf is not None:
            query_vector = query_vector * self.idf
        scores = self.matrix @ query_vector.astype(np.float32)
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [
            Passage(
                self.ids[i], self.meta[i][0], self.meta[i][1], self.meta[i][2], float(scores[i])
            )
            for i in top
        ]


_indexes: dict[tuple[int, str], VectorIndex] = {}
_lock = threading.Lock()


def cached_index(agent_id: int, version: str, build: Callable[[], VectorIndex]) -> VectorIndex:
    """The agent's index for ``version`` (changes whenever its chunks change)."""
    key = (agent_id, version)
    with _lock:
        index = _indexes.get(key)
    if index is None:
        index = build()
        with _lock:
            for stale in [k for k in _indexes if k[0] == agent_id]:
                del _indexes[stale]
            _indexes[key] = index
    return index
