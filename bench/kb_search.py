"""Knowledge-base search latency: cosine top-3 over N chunks (default 10 000) with numpy.

Run: .venv/bin/python bench/kb_search.py [--chunks 10000] [--queries 200]
Prints one JSON object on stdout and a table on stderr. Budget: p95 < 20 ms at 10 000 chunks.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voiceagent.settings")

import django

django.setup()

import numpy as np  # noqa: E402

from agents.knowledge import LOCAL_MODEL, VectorIndex, local_embedding  # noqa: E402

WORDS = (
    "parking opening hours price consultation demo cancel refund invoice card bank address "
    "station train bus wheelchair access toilet loop coffee team founded warranty repair "
    "delivery shipping return policy discount member student senior holiday weekend evening "
    "morning appointment booking reschedule phone email contact manager support ticket"
).split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(7)
    texts = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 120))) for _ in range(args.chunks)
    ]
    started = time.perf_counter()
    matrix = np.vstack([local_embedding(t) for t in texts])
    embed_seconds = time.perf_counter() - started
    index = VectorIndex(
        list(range(args.chunks)), matrix, [("s", "h", t) for t in texts], LOCAL_MODEL
    )
    latencies = []
    for _ in range(args.queries):
        query = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8)))
        started = time.perf_counter()
        index.search(local_embedding(query), 3)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    result = {
        "benchmark": "kb_search",
        "chunks": args.chunks,
        "queries": args.queries,
        "dimensions": matrix.shape[1],
        "p50_ms": round(statistics.median(latencies), 3),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 3),
        "max_ms": round(latencies[-1], 3),
        "index_mib": round(index.matrix.nbytes / 2**20, 1),
        "embed_chunks_per_s": round(args.chunks / embed_seconds),
        "budget_p95_ms": 20,
    }
    result["within_budget"] = result["p95_ms"] < 20
    print(json.dumps(result))
    for key, value in result.items():
        print(f"{key:>20}: {value}", file=sys.stderr)


if __name__ == "__main__":
    main()
