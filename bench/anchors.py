"""The mock beside the perf anchors (Prism, bare Starlette, raw ASGI, ...) in one interleaved run of the shared harness.

    .venv/bin/python bench/anchors.py                        # prism-static, prism-silent, st-plain, raw-asgi + the mock
    .venv/bin/python bench/anchors.py --reps 1 --startup-reps 2 --only 'st-plain|raw-asgi'   # a quick look
    .venv/bin/python bench/anchors.py --also before=/path/to/other/src   # a second build of the mock in the same run

It runs the harness's `run_anchors.sh` (`--harness`, default /work/shared/bench-anchors) with `campaign-mock serve`
added as target `campaign-mock`: the default scenario (all four vendors) plus a running Leadterra campaign cmp_123
(`bench/harness-scenario.yaml`), every check on (response validation, the journal, the request log, written to the
harness's log file), so that the harness's request `POST /v1/campaigns/cmp_123/start` with `Bearer
sk_test_leadterra` is Leadterra's documented no-op start. The harness installs wrk, Prism and Mockoon under
/tmp/benchtools on first use, pins each server to CPU 1 and wrk to CPU 0, and writes `summary.md` under
`--results` (default /tmp/bench-results/<stamp>/). This script then prints the mock's ratios to the anchors.

`--also NAME=SRC` adds the same command with `PYTHONPATH=SRC` (another checkout's `src/`), to compare two builds of
the mock interleaved in the same run (a noisy machine moves both alike).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIO = HERE / "harness-scenario.yaml"
PATH = "/leadterra/v1/campaigns/cmp_123/start"
TOKEN = "sk_test_leadterra"
ANCHORS = "prism-static|prism-silent|st-plain|raw-asgi"


def mock_command(port: int, source: str | None, cache: Path | None = None) -> str:
    """The `campaign-mock serve` command the harness starts (from its own directory, so paths are absolute). Another
    build gets a cache directory of its own (`cache`): builds whose spec caches differ would otherwise overwrite
    each other's, and every start of either, interleaved, would be a cold one."""
    env = f"env PYTHONPATH={shlex.quote(source)} XDG_CACHE_HOME={shlex.quote(str(cache))} " if source else ""
    serve = [sys.executable, "-m", "campaign_mock", "serve", "--port", str(port), "--scenario", str(SCENARIO)]
    return f"exec {env}{shlex.join(serve)}"


def compile_sources(sources: list[Path]) -> None:
    """Byte-compile each tree first: the harness starts servers with PYTHONDONTWRITEBYTECODE, so a tree without
    fresh .pyc files would compile itself on every measured start (the anchors' own code is compiled)."""
    for src in sources:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True)


def ratios(run_dir: Path, mocks: list[str]) -> list[str]:
    """The mocks' figures over the anchors', from the run's raw measurements (medians of the load reps)."""
    per: dict[str, dict[str, list[float]]] = {}
    by_round: dict[str, dict[int, float]] = {}  # target -> rep -> c32 req/s
    for line in (run_dir / "raw.jsonl").read_text().splitlines():
        row: dict[str, Any] = json.loads(line)
        if row.get("kind") == "c32":
            by_round.setdefault(row["target"], {})[row["rep"]] = row["rps"]
            figures = per.setdefault(row["target"], {})
            figures.setdefault("rps", []).append(row["rps"])
            figures.setdefault("p99", []).append(row["p99_us"])
            cpu_us = row["server_cpu_ticks"] / row["clk_tck"] * 1e6
            figures.setdefault("cpu", []).append(cpu_us / max(row["requests"], 1))
        elif row.get("kind") == "startup" and row.get("ok"):
            per.setdefault(row["target"], {}).setdefault("startup", []).append(row["ms"])
    med = {t: {k: statistics.median(v) for k, v in d.items()} for t, d in per.items()}
    lines = []
    for mock in mocks:
        m = med.get(mock)
        if not m:
            continue
        for anchor, key, label in (
            ("st-plain", "rps", "req/s c32 / st-plain"),
            ("prism-static", "rps", "req/s c32 / prism-static"),
            ("prism-silent", "rps", "req/s c32 / prism-silent"),
            ("raw-asgi", "rps", "req/s c32 / raw-asgi"),
            ("st-plain", "p99", "p99 c32 / st-plain's"),
            ("st-plain", "cpu", "server CPU per request / st-plain's"),
            ("st-plain", "startup", "startup / st-plain's"),
        ):
            a = med.get(anchor, {})
            if key in m and key in a and a[key]:
                lines.append(f"{mock}: {label} = {m[key] / a[key]:.2f}")
        # The same ratio round by round (each round runs every target back to back): on a machine whose speed drifts
        # over minutes, a round's pair has seen the same machine, where the medians of each may not have.
        plain, ours = by_round.get("st-plain", {}), by_round.get(mock, {})
        paired = sorted(ours[rep] / plain[rep] for rep in ours.keys() & plain.keys() if plain[rep])
        if paired:
            shown = ", ".join(f"{r:.2f}" for r in paired)
            lines.append(
                f"{mock}: req/s c32 / st-plain's in the same round: median {statistics.median(paired):.2f} ({shown})"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--harness", type=Path, default=Path("/work/shared/bench-anchors"))
    parser.add_argument("--results", type=Path, default=Path("/tmp/bench-results"))
    parser.add_argument("--only", default=ANCHORS, help=f"anchor targets (grep -E; default {ANCHORS!r})")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--startup-reps", type=int, default=5)
    parser.add_argument("--port", type=int, default=8750)
    parser.add_argument("--also", action="append", default=[], metavar="NAME=SRC", help="another build of the mock")
    opts = parser.parse_args()

    script = opts.harness / "run_anchors.sh"
    if not script.exists():
        print(f"no harness at {opts.harness} (run_anchors.sh missing)", file=sys.stderr)
        return 2
    targets = [("campaign-mock", None)] + [tuple(a.split("=", 1)) for a in opts.also]  # type: ignore[misc]
    compile_sources([ROOT / "src"] + [Path(src) for _, src in targets if src])
    args = ["bash", str(script), "--reps", str(opts.reps), "--startup-reps", str(opts.startup_reps)]
    names = [name for name, _ in targets]
    args += ["--only", f"^({opts.only}|{'|'.join(names)})$"]
    caches = Path(tempfile.mkdtemp(prefix="campaign-mock-bench-cache-"))
    for i, (name, src) in enumerate(targets):
        port = opts.port + i
        args += ["--add", name, f"http://127.0.0.1:{port}{PATH}", mock_command(port, src, caches / name)]
    opts.results.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "RESULTS_ROOT": str(opts.results), "BENCH_TOKEN": TOKEN}
    before = set(opts.results.iterdir())
    done = subprocess.run(args, env=env, check=False)
    if done.returncode:
        return done.returncode
    [run_dir] = sorted(set(opts.results.iterdir()) - before)
    print(f"\nrun: {run_dir}")
    print("\n".join(ratios(run_dir, names)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
