"""Measuring: single timed requests, and wrk's load from a second process."""

import json
import math
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
WRK_THREADS = 2
WRK_CONNECTIONS = 20
WRK_SECONDS = 10


def percentile(values: list[float], share: float) -> float:
    """Linear interpolation between the closest ranks (like numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise(milliseconds: list[float]) -> dict:
    if not milliseconds:
        return {"n": 0}
    return {
        "n": len(milliseconds),
        "p50_ms": round(percentile(milliseconds, 0.50), 2),
        "p95_ms": round(percentile(milliseconds, 0.95), 2),
        "mean_ms": round(sum(milliseconds) / len(milliseconds), 2),
        "max_ms": round(max(milliseconds), 2),
    }


def timed_get(url: str) -> tuple[float, int, bytes]:
    """(milliseconds, status, body) of one GET on a fresh connection."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            body, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return (time.perf_counter() - started) * 1000, status, body


def wrk(url: str, *, bust_cache: bool = False) -> dict:
    """requests/s and latency percentiles of WRK_CONNECTIONS clients for WRK_SECONDS.

    bust_cache gives every request a parameter of its own, so that no cached page is served.
    """
    command = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{WRK_CONNECTIONS}",
        f"-d{WRK_SECONDS}s",
        "--timeout",
        "30s",
        "-s",
        str(WRK_SCRIPT),
        url,
    ]
    env = {**os.environ, "WRK_CACHE_BUST": "1" if bust_cache else "0"}
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "requests_per_s": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "errors": {kind: count for kind, count in raw["errors"].items() if count},
    }
