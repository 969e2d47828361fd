#!/usr/bin/env python3
"""Generation, side by side: mcpwright against openapi-mcp-generator (pinned in
benches/peers/package.json) on the same specs, same machine, same run. Wall time and peak
resident memory (/usr/bin/time) per run; medians over --runs runs, alternating the tools.

    python3 benches/generate.py [--runs 5] [--specs ../shared/specs] [spec names...]

Needs a release build of mcpwright (cargo build --release) and `npm ci` in benches/peers.
Prints a markdown table (see BENCHMARKS.md).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SPECS = [
    "github.com__api.github.com.json",
    "kubernetes.io__v1.13.swagger.json",
    "autotask.net.json",
]


def measure(command):
    """Runs `command`; returns (seconds, peak RSS in MB)."""
    with tempfile.NamedTemporaryFile("r") as report:
        subprocess.run(
            ["/usr/bin/time", "-o", report.name, "-f", "%e %M", *command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        seconds, kilobytes = report.read().split()
    return float(seconds), int(kilobytes) / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--specs", default=str(REPO.parent / "shared" / "specs"))
    parser.add_argument("names", nargs="*", default=DEFAULT_SPECS)
    args = parser.parse_args()

    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    ours = target / "release" / "mcpwright"
    peer = REPO / "benches" / "peers" / "node_modules" / ".bin" / "openapi-mcp-generator"
    for tool in (ours, peer):
        if not tool.exists():
            sys.exit(f"missing {tool}: run `cargo build --release` and `npm ci` in benches/peers")

    print("| spec | operations | openapi-mcp-generator s | MB | mcpwright s | MB | speed-up |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in args.names:
        spec = Path(args.specs) / name
        times = {"peer": [], "ours": []}
        memory = {"peer": [], "ours": []}
        with tempfile.TemporaryDirectory() as scratch:
            for _ in range(args.runs):
                for who, command in (
                    ("peer", [str(peer), "-i", str(spec), "-o", f"{scratch}/peer", "-b", "http://127.0.0.1:1", "--force"]),
                    ("ours", [str(ours), "generate", str(spec), "-o", f"{scratch}/ours", "--quiet"]),
                ):
                    out = Path(scratch) / who
                    if out.exists():
                        shutil.rmtree(out)
                    seconds, mb = measure(command)
                    times[who].append(seconds)
                    memory[who].append(mb)
            inspected = subprocess.run(
                [str(ours), "inspect", str(spec), "--format", "json"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            operations = len(json.loads(inspected)["tools"])
        peer_s, ours_s = statistics.median(times["peer"]), statistics.median(times["ours"])
        print(
            f"| {name} | {operations} | {peer_s:.2f} | {statistics.median(memory['peer']):.0f} "
            f"| {ours_s:.2f} | {statistics.median(memory['ours']):.0f} | {peer_s / ours_s:.1f}× |"
        )


if __name__ == "__main__":
    main()
