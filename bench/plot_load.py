"""Plots relay latency (p99, steady window) against concurrency from bench/load.py reports.

Run: .venv/bin/python bench/plot_load.py OUT.png REPORT.json [REPORT.json ...]
Each report's runs become one line per target and direction (its framing in the label);
repeated runs of one load are drawn at their median.
Prints one JSON object (what was plotted) on stdout.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display
import matplotlib.pyplot as plt


def main() -> None:
    out, reports = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
    samples: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for report_path in reports:
        report = json.loads(report_path.read_text())
        for run in report["runs"]:
            name = run["target"] + ("" if run.get("framing", "web") == "web" else " (phone)")
            for key, label in (("c2u_ms", "caller→upstream"), ("u2c_ms", "upstream→caller")):
                p99 = run[key]["p99"]
                if p99 is not None:
                    samples[f"{name}, {label}"][run["calls"]].append(p99)
    lines = {
        label: sorted((calls, statistics.median(values)) for calls, values in by_calls.items())
        for label, by_calls in samples.items()
    }
    figure, axes = plt.subplots(figsize=(8, 5), dpi=110)
    for label, points in sorted(lines.items()):
        style = "-" if label.startswith("product") else "--"
        axes.plot([c for c, _ in points], [v for _, v in points], style, marker="o", label=label)
    axes.axhline(50, color="grey", linewidth=0.8, linestyle=":")
    axes.text(
        0.01,
        50,
        " knee threshold: p99 50 ms",
        va="bottom",
        color="grey",
        fontsize=8,
        transform=axes.get_yaxis_transform(),
    )
    axes.set_yscale("log")
    axes.set_xlabel("concurrent calls (one server process, 2 vCPU shared with the load)")
    axes.set_ylabel("relay latency p99, steady window (ms)")
    axes.set_title("Relay latency vs concurrency: product (uvicorn) and a bare websockets relay")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(out)
    print(json.dumps({"plot": str(out), "lines": lines}))


if __name__ == "__main__":
    main()
