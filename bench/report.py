"""The figures of bench/results.json as the Markdown tables of bench/README.md, with the growth
from the small to the large catalog beside each figure.

run.py prints them at the end; `python bench/report.py` prints them again from the saved file.
"""

import json
import sys
from pathlib import Path

RESULTS_FILE = Path(__file__).resolve().parent / "results.json"
PAGES = ("catalog", "filtered", "project", "market", "offer", "article")
SMALL, LARGE = "1k", "100k"
# The figures whose growth is worth a ratio; everything else is a setting or a count.
GROWTH_FIGURES = {
    "p50_ms",
    "p95_ms",
    "requests_per_s",
    "first_request_ms",
    "bytes",
    "index_build_seconds",
    "database_mib",
}
LATENCIES = [
    ("search, selector in-process", "search_selector.all"),
    ("facet counts of a search, uncached", "search_selector.facet_counts_uncached"),
    ("search over HTTP, first time (cache empty)", "search_http.first_round"),
    ("search over HTTP, repeated (page cache)", "search_http.later_rounds"),
    ("match my problem", "match.match"),
    ("match, first round (passages not cached)", "match.match_first_round"),
    ("  embedding the description", "match.embed"),
    ("  scan of all vectors", "match.vector_scan"),
    ("  full-text ranking", "match.text_rank"),
]
# PostgreSQL is timed in-process only: no HTTP search there.
POSTGRES_LATENCIES = [row for row in LATENCIES if not row[1].startswith("search_http")]


def growth(small: dict, large: dict, path: str = "") -> dict[str, float]:
    """large / small for every figure both hold, by its dotted path (per-query details and
    the app/nginx ratios left out: a ratio of ratios says nothing)."""
    ratios = {}
    for key, value in small.items():
        if key.startswith("per_query") or key.endswith("_to_nginx") or key not in large:
            continue
        where = f"{path}.{key}" if path else key
        if isinstance(value, dict) and isinstance(large[key], dict):
            ratios.update(growth(value, large[key], where))
        elif key in GROWTH_FIGURES and isinstance(value, int | float) and value:
            ratios[where] = round(large[key] / value, 2)
    return ratios


def growth_of(results: dict) -> dict[str, dict[str, float]]:
    sides = {"sqlite": results.get("catalogs", {}), "postgres": results.get("postgres", {})}
    return {
        side: growth(catalogs[SMALL], catalogs[LARGE])
        for side, catalogs in sides.items()
        if SMALL in catalogs and LARGE in catalogs
    }


def _get(figures: dict, path: str):
    for key in path.split("."):
        figures = figures.get(key, {}) if isinstance(figures, dict) else {}
    return figures


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


def _p50_p95(summary: dict) -> str:
    return f"{_ms(summary['p50_ms'])} / {_ms(summary['p95_ms'])}" if summary.get("n") else "–"


def _times(ratio: float | None) -> str:
    if ratio is None:
        return "–"
    return f"×{ratio:.2f}" if ratio < 10 else f"×{ratio:.0f}"


def _row(cells) -> str:
    return "| " + " | ".join(cells) + " |"


def _generated(catalog: dict) -> str:
    seconds = f"{catalog['generate_seconds']:,.0f} s"
    return f"{seconds} (reused)" if catalog["generate_reused"] else seconds


def _contents(catalog: dict) -> str:
    return f"{catalog.get('offers', 0):,} offers, {catalog.get('articles', 0):,} articles"


def figures_table(results: dict) -> list[str]:
    catalogs, postgres = results["catalogs"], results.get("postgres", {})
    ratios = growth_of(results)
    labels = [label for label in (SMALL, LARGE) if label in catalogs]
    lines = [_row(["", *labels, f"{LARGE}/{SMALL}"]), _row(["---"] * (len(labels) + 2))]

    def add(title: str, cell, ratio: str = "") -> None:
        lines.append(_row([title, *(cell(catalogs[label]) for label in labels), ratio]))

    def add_latency(title: str, side: str, source: dict, path: str) -> None:
        cells = [_p50_p95(_get(source.get(label, {}), path)) for label in labels]
        found = ratios.get(side, {})
        ratio = " / ".join(_times(found.get(f"{path}.{p}")) for p in ("p50_ms", "p95_ms"))
        lines.append(_row([title, *cells, ratio]))

    add("`generate_catalog`", _generated)
    add("offers and articles in it", _contents)
    add(
        "database (with vectors)",
        lambda c: f"{c['database_mib']:,.0f} MiB",
        _times(ratios.get("sqlite", {}).get("database_mib")),
    )
    add("load average before / after", lambda c: "{:.1f} / {:.1f}".format(
        c["load_average_before"][0], c["load_average_after"][0]))  # fmt: skip
    add(
        "match index build (embed every project)",
        lambda c: f"{c['match']['index_build_seconds']:,.0f} s",
        _times(ratios.get("sqlite", {}).get("match.index_build_seconds")),
    )
    for title, path in LATENCIES:
        add_latency(title, "sqlite", catalogs, path)
    for title, path in POSTGRES_LATENCIES:
        add_latency(f"PostgreSQL: {title.strip()}", "postgres", postgres, path)
    return lines


def _load(figures: dict) -> str:
    return f"{figures['requests_per_s']:,.0f}, {_ms(figures['p95_ms'])}"


def _load_growth(small: dict, large: dict) -> str:
    return (
        f"{_times(large['requests_per_s'] / small['requests_per_s'])}, "
        f"{_times(large['p95_ms'] / max(small['p95_ms'], 0.001))}"
    )


PAGE_COLUMNS = ["page", "size", "app, cache hit", "app, cache miss", "nginx",
                "app/nginx req/s (hit, miss)"]  # fmt: skip
LOADS = ("app", "app_cache_miss", "nginx")


def pages_table(results: dict) -> list[str]:
    catalogs = results["catalogs"]
    lines = [_row(PAGE_COLUMNS), _row(["---"] * len(PAGE_COLUMNS))]
    for page in PAGES:
        sized = [
            (label, catalogs[label]["pages"][page])
            for label in (SMALL, LARGE)
            if page in catalogs.get(label, {}).get("pages", {})
        ]
        for label, figures in sized:
            lines.append(
                _row(
                    [
                        f"{page}, {label}",
                        f"{figures['bytes'] / 1000:,.0f} KB",
                        *(_load(figures[side]) for side in LOADS),
                        "{:.1%}, {:.2%}".format(
                            figures["app_to_nginx"]["requests_per_s"],
                            figures["app_cache_miss_to_nginx"]["requests_per_s"],
                        ),
                    ]
                )
            )
        if len(sized) == 2:
            (_, small), (_, large) = sized
            lines.append(
                _row(
                    [
                        f"{page}, {LARGE}/{SMALL}",
                        _times(large["bytes"] / small["bytes"]),
                        *(_load_growth(small[side], large[side]) for side in LOADS),
                        "",
                    ]
                )
            )
    return lines


def markdown(results: dict) -> str:
    return "\n".join(
        [
            *figures_table(results),
            "",
            "Pages under wrk load (requests/s, p95 ms):",
            "",
            *pages_table(results),
        ]
    )


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS_FILE
    print(markdown(json.loads(path.read_text(encoding="utf-8"))))
