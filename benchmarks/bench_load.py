#!/usr/bin/env python3
"""The loader alone: ``kportable.load.parse_bytes`` over 10,000 generated documents.

Reads every file of the generated corpus into memory first, then parses them all with the GC
off (as a run does), in a fresh process so the peak RSS is the loader's: documents/s, MB/s,
peak RSS (and its growth over the raw bytes) and, for scale, the libyaml compose floor on the
same in-memory text measured afterwards in the same process.

    python benchmarks/bench_load.py [--size 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import _peak_mb, corpus


def child(directory: str) -> dict[str, Any]:
    from kportable.load import parse_bytes
    from kportable.sources import expand

    items, _ = expand([directory])
    raws = [(i.display, Path(i.path).read_bytes()) for i in items if i.path is not None]
    before = _peak_mb()["self"]
    gc.disable()
    start = time.perf_counter()
    parsed = [parse_bytes(name, raw) for name, raw in raws]
    seconds = time.perf_counter() - start
    peak = _peak_mb()["self"]
    documents = sum(len(p.documents) + p.empty_documents for p in parsed)
    problems = sum(len(p.problems) for p in parsed)
    del parsed

    import yaml

    texts = [raw.decode("utf-8-sig") for _, raw in raws]
    start = time.perf_counter()
    for text in texts:
        for _ in yaml.compose_all(text, Loader=yaml.CSafeLoader):
            pass
    floor = time.perf_counter() - start
    return {
        "seconds": seconds, "floor": floor, "documents": documents, "problems": problems, "files": len(raws),
        "bytes": sum(len(r) for _, r in raws), "rss_before_mb": before, "rss_peak_mb": peak,
    }


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(argv[1])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1, help="fresh processes; the fastest is kept")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "kportable-bench")
    args = parser.parse_args(argv)
    directory = corpus(args.size, args.seed, args.cache)
    runs = []
    for _ in range(max(1, args.repeat)):
        proc = subprocess.run([sys.executable, __file__, "--child", str(directory)], check=True,
                              capture_output=True, text=True)
        runs.append(json.loads(proc.stdout))
    r = min(runs, key=lambda x: x["seconds"])
    mb = r["bytes"] / 1e6
    print(f"loader: {r['documents']:,} documents in {r['files']:,} files ({mb:.1f} MB), {r['problems']} problems")
    print(f"  parse_bytes: {r['seconds']:.3f} s = {r['documents'] / r['seconds']:,.0f} docs/s, "
          f"{mb / r['seconds']:.1f} MB/s")
    print(f"  compose floor (same process, after): {r['floor']:.3f} s; loader / floor = "
          f"{r['seconds'] / r['floor']:.2f}x the floor's time")
    print(f"  peak RSS: {r['rss_peak_mb']:.0f} MB ({r['rss_peak_mb'] - r['rss_before_mb']:.0f} MB over the "
          f"{r['rss_before_mb']:.0f} MB holding the raw files)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
