"""Label rendering throughput: 4×6 PDF and ZPL labels per second, each label distinct.

Usage: python benchmarks/bench_labels.py [--labels 1000] [--repeat 3] [--out benchmarks/results/labels.md]
Issues `--labels` distinct labels through the offline carrier-label port (half with lithium hazmat
marks and packaging text), renders each as PDF and as ZPL, repeats `--repeat` times and reports the
best run. No database, no network: the renderers alone.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from pathlib import Path

from returnflow.adapters.labels import render
from returnflow.adapters.labels.offline import OfflineCarrierLabels
from returnflow.domain.hazmat import rule_for
from returnflow.domain.labels import LabelAddress, ShippingLabel
from returnflow.services.label_port import LabelRequest

RMA_CHARS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def labels(n: int) -> list[ShippingLabel]:
    """`n` distinct labels (distinct RMA numbers, so distinct tracking numbers and QR codes)."""
    issuer = OfflineCarrierLabels()
    out = []
    for i in range(n):
        digits = "".join(RMA_CHARS[(i >> (5 * k)) % 32] for k in range(8))
        rule = rule_for("lithium_ion" if i % 2 else None)
        out.append(
            issuer.issue(
                LabelRequest(
                    rma_number=f"RMA-{digits[:4]}-{digits[4:]}",
                    carrier="ReturnFlow Ground",
                    service_name="Ground 3-5 days",
                    ship_from=LabelAddress(
                        f"Customer {i}", f"{i} Elm Street", "Springfield", "62704", "US", region="IL"
                    ),
                    ship_to=LabelAddress(
                        "Columbus Returns Center",
                        "Returns receiving CMH1",
                        "Columbus",
                        "43215",
                        "US",
                        region="OH",
                    ),
                    weight_grams=500 + i % 3000,
                    reference=f"ORD-{100000 + i}",
                    hazmat_marks=rule.marks,
                    packaging=rule.packaging,
                )
            )
        )
    return out


def best_rate(
    batch: list[ShippingLabel], fn: Callable[[ShippingLabel], bytes], repeat: int
) -> tuple[float, int]:
    """Best labels per second over `repeat` runs, and the mean document size in bytes."""
    best, size = 0.0, 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = sum(len(fn(label)) for label in batch)
        best = max(best, len(batch) / (time.perf_counter() - start))
    return best, size // len(batch)


def main() -> None:
    """Run both formats and write the Markdown result."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "labels.md")
    args = parser.parse_args()
    batch = labels(args.labels)
    rows = []
    for fmt in ("pdf", "zpl"):
        rate, size = best_rate(batch, lambda label, f=fmt: render(label, f), args.repeat)  # type: ignore[misc]
        rows.append(f"| {fmt.upper()} | {rate:,.0f} | {1000 / rate:.2f} | {size:,} |")
    table = "\n".join(["| format | labels/s | ms/label | bytes/label |", "|---|---:|---:|---:|", *rows])
    report = (
        "# Label rendering\n\n"
        f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        "2 cores shared with other work; no database (renderers only). Target: ≥ 200 PDF labels/s.\n\n"
        "Command: `.venv/bin/python benchmarks/bench_labels.py "
        f"--labels {args.labels} --repeat {args.repeat}` "
        "(best of the runs; half the labels carry lithium hazmat marks and packaging text).\n\n"
        f"{table}\n"
    )
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)


if __name__ == "__main__":
    main()
