#!/usr/bin/env python3
"""Turns one `./dev bench` run into the report: results.json, the generated part of docs/benchmarks.md and the plots.

    benchmarks/report/make_report.py --in build/bench --results build/bench/results.json \
        --markdown docs/benchmarks.md --img-dir docs/img

--in holds Google Benchmark's JSON output of each benchmark program (bench_<name>.json, from --benchmark_out),
http.json from benchmarks/http/http_bench.py and callgrind.json from benchmarks/report/count_instructions.py. Each measure of issue 13 is one object of results.json's "measures":

    {"id": "P4.threads8", "title": ..., "value": 4800.0, "unit": "commands/s", "floor": 11500.0, "floor_what": ...,
     "floor_kind": "measured" | "bound", "ratio": 0.42, "goal": ">=1.0", "met": false}

The ratio is value / floor; the goal applies to the ratio (a measure with "goal": null has none and "met": null: it is
reported for what it shows). A floor of kind "bound" is a documented constant, not a
measurement (memory per event, the 20M events/s memory replay, the 10 ms p99), so that every goal reads the same way.
A measure whose benchmark did not run (filtered out, failed) has value, ratio and met null. Repeated runs
(--benchmark_repetitions) contribute their median.

The markdown file keeps everything outside the markers <!-- generated:start --> and <!-- generated:end -->; the
table and the plot links go between them. Plots are PNG files made by gnuplot (pngcairo); without gnuplot they are
left out and the report says so.
"""
import argparse
import datetime
import json
import math
import os
import shutil
import statistics
import subprocess
import sys

START = "<!-- generated:start -->"
END = "<!-- generated:end -->"
TIME_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


class Runs:
    """The runs of every benchmark program, by run name without "/real_time" (e.g. "pg_replay",
    "sqlite_set_phone_group_commit/threads:8", "set_phone_in_memory/0"): the median aggregate when the run was
    repeated, else the median of the iterations."""

    def __init__(self, directory):
        self.runs = {}
        self.context = {}
        for name in sorted(os.listdir(directory)):
            if not (name.startswith("bench_") and name.endswith(".json")):
                continue
            with open(os.path.join(directory, name)) as f:
                try:
                    data = json.load(f)
                except json.JSONDecodeError:
                    print(f"make_report: {name} is not JSON (did the benchmark crash?)", file=sys.stderr)
                    continue
            self.context = self.context or data.get("context", {})
            by_name = {}
            for run in data.get("benchmarks", []):
                if run.get("error_occurred"):
                    continue
                key = "/".join(part for part in run["run_name"].split("/")
                               if part != "real_time" and not part.startswith(("iterations:", "repeats:")))
                by_name.setdefault(key, {"iterations": [], "median": None})
                if run.get("run_type") == "aggregate":
                    if run.get("aggregate_name") == "median":
                        by_name[key]["median"] = run
                else:
                    by_name[key]["iterations"].append(run)
            for key, found in by_name.items():
                if found["median"] is not None:
                    self.runs[key] = found["median"]
                elif found["iterations"]:
                    self.runs[key] = median_run(found["iterations"])

    def get(self, name):
        return self.runs.get(name)

    def rate(self, name):
        """items/s of a run, or None."""
        run = self.get(name)
        return None if run is None or "items_per_second" not in run else float(run["items_per_second"])

    def seconds(self, name):
        """Real time per iteration in seconds, or None."""
        run = self.get(name)
        return None if run is None else float(run["real_time"]) * TIME_UNITS[run.get("time_unit", "ns")]

    def counter(self, name, counter):
        run = self.get(name)
        return None if run is None or counter not in run else float(run[counter])

    def find(self, *candidates):
        """The first of several run names that exists (benchmarks get renamed)."""
        for name in candidates:
            if name in self.runs:
                return name
        return candidates[0]


def median_run(runs):
    """A run whose numbers are the medians of several runs of one benchmark."""
    out = dict(runs[0])
    for field, value in runs[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[field] = statistics.median(float(r[field]) for r in runs if field in r)
    return out


def measure(mid, title, value, unit, floor, floor_what, goal, floor_kind="measured"):
    ratio = value / floor if value is not None and floor else None
    met = None
    if ratio is not None and goal is not None:  # a measure without a goal is reported for what it shows
        op, bound = goal[:2], float(goal[2:])
        met = ratio >= bound if op == ">=" else ratio <= bound
    return {"id": mid, "title": title, "value": value, "unit": unit, "floor": floor, "floor_what": floor_what,
            "floor_kind": floor_kind, "ratio": ratio, "goal": goal, "met": met}


def build_measures(runs, http, callgrind):
    m = []
    # --- P1: in-memory SetPhone against bare libphonenumber on the same inputs (time per operation; lower is better)
    floor_p1 = runs.seconds("floor_libphonenumber")
    for arg, mid, goal, what in ((0, "P1.verified", "<=1.15", "verified path"),
                                 (1, "P1.return_code", "<=1.30", "return_code path")):
        value = runs.seconds(runs.find(f"set_phone_in_memory/{arg}", f"set_phone_in_memory/verification:{arg}"))
        m.append(measure(mid, f"in-memory SetPhone, {what} (time per command)", us(value), "µs", us(floor_p1),
                         "bare libphonenumber Parse + IsValidNumber + Format, same inputs", goal))
    # The same by callgrind's instruction counts (count_instructions.py), which a noisy machine does not move
    for mode, goal in (("verified", "<=1.15"), ("return_code", "<=1.30")):
        m.append(measure(f"P1.{mode}.instructions", f"in-memory SetPhone, {mode.replace('_', ' ')} path "
                         "(instructions per command, callgrind)", callgrind.get(mode), "instructions",
                         callgrind.get("floor"), "bare libphonenumber, same inputs (callgrind)", goal))
    # --- P3: SQLite SetPhone with group commit against raw transactions of exactly its rows (the same users, so the
    # same index leaves per commit), N commands per transaction from one thread
    for threads in (8, 64):
        m.append(measure(f"P3.threads{threads}", f"SQLite SetPhone, {threads} threads, group commit",
                         runs.rate(f"sqlite_set_phone_group_commit/threads:{threads}"), "commands/s",
                         runs.rate(f"sqlite_floor_set_phone_rows/n:{threads}"),
                         f"raw inserts of the same rows for the same users, {threads} commands per transaction, "
                         "one thread", ">=0.5"))
    m.append(measure("P3.vs_one_tx", "SQLite SetPhone, 8 threads: group commit against one transaction per command",
                     runs.rate("sqlite_set_phone_group_commit/threads:8"), "commands/s",
                     runs.rate("sqlite_set_phone_one_tx_per_command/threads:8"),
                     "the store with group commit off, 8 threads (issue 4)", ">=5"))
    # --- P4: PostgreSQL SetPhone against autocommit INSERTs from as many connections. The goal is the parallel-commit
    # store's (commits=parallel, the design); the default, serialised store is reported beside it.
    for threads in (8, 64):
        m.append(measure(f"P4.threads{threads}", f"PostgreSQL SetPhone, {threads} threads, parallel commits",
                         runs.rate(f"pg_set_phone_parallel_commits/threads:{threads}"), "commands/s",
                         runs.rate(f"pg_floor_autocommit_insert/threads:{threads}"),
                         f"raw autocommit INSERT from {threads} connections", ">=1.0"))
    # The same SetPhone against its own rows written raw the floor's way (one command's two rows per autocommit
    # INSERT into the store's table, from as many connections), and those rows against the floor: how much of the gap
    # to the floor is the rows a SetPhone must write rather than the store. No goal; reported for what they show.
    for threads in (8, 64):
        m.append(measure(f"P4.own_rows.threads{threads}",
                         f"PostgreSQL SetPhone, {threads} threads, parallel commits, against its own rows raw",
                         runs.rate(f"pg_set_phone_parallel_commits/threads:{threads}"), "commands/s",
                         runs.rate(f"pg_floor_set_phone_rows/threads:{threads}"),
                         f"SetPhone's two rows per autocommit INSERT into the store's table, {threads} connections",
                         None))
        m.append(measure(f"P4.own_rows_floor.threads{threads}",
                         f"PostgreSQL: SetPhone's rows raw against the floor, {threads} connections",
                         runs.rate(f"pg_floor_set_phone_rows/threads:{threads}"), "commands/s",
                         runs.rate(f"pg_floor_autocommit_insert/threads:{threads}"),
                         f"raw autocommit INSERT from {threads} connections", None))
    for threads in (8, 64):
        m.append(measure(f"P4.serialised.threads{threads}",
                         f"PostgreSQL SetPhone, {threads} threads, serialised commits (the default)",
                         runs.rate(f"pg_set_phone_group_commit/threads:{threads}"), "commands/s",
                         runs.rate(f"pg_floor_autocommit_insert/threads:{threads}"),
                         f"raw autocommit INSERT from {threads} connections", ">=1.0"))
    # --- P5: replay against raw reads
    m.append(measure("P5.sqlite", "SQLite replay (for_each_global)", runs.rate("sqlite_replay"), "events/s",
                     runs.rate("sqlite_floor_full_table_read"), "raw full-table read of the same rows", ">=0.9"))
    m.append(measure("P5.postgres", "PostgreSQL replay (for_each_global)", runs.rate("pg_replay"), "events/s",
                     runs.rate("pg_floor_single_row_read"), "raw single-row-mode read of the same rows", ">=0.9"))
    m.append(measure("P5.memory", "memory store replay (for_each_global)", runs.rate("memory_replay"), "events/s",
                     20e6, "goal constant: 20M events/s", ">=1.0", "bound"))
    # --- HTTP: userstream-server under wrk against the in-process rates the issue names
    in_process = {"memory": (runs.rate("memory_set_phone/threads:2"), "in-process SetPhone on the memory store, 2 threads", ">=0.6"),
                  "sqlite": (runs.rate("sqlite_set_phone_group_commit/threads:64"),
                             "in-process SetPhone on SQLite with group commit, 64 threads", ">=0.8")}
    by_run = {(r["store"], r["protocol"]): r for r in http}
    for store in ("memory", "sqlite"):
        floor, floor_what, goal = in_process[store]
        for protocol, label in (("rest", "REST PUT"), ("connect", "Connect binary")):
            r = by_run.get((store, protocol))
            value = r["requests_per_second"] if r and r["requests"] and not sum(r["errors"].values()) else None
            m.append(measure(f"HTTP.{store}.{protocol}", f"userstream-server on {store}, {label} UpdateHumanPhone, "
                             "64 connections", value, "requests/s", floor, floor_what, goal))
        r = by_run.get((store, "rest"))
        if store == "memory":
            m.append(measure("HTTP.memory.rest.p99", "userstream-server on memory, REST: 99th percentile latency",
                             r["latency_us"]["p99"] / 1000 if r else None, "ms", 10.0, "goal constant: 10 ms",
                             "<=1.0", "bound"))
    # --- Memory: bounds documented in bench_memory.cpp and below
    footprint = "memory_footprint"
    for counter, mid, title, unit in (
            ("bytes_per_event", "MEM.bytes_per_event", "memory store: heap bytes per stored event", "bytes"),
            ("rss_mib_after_1m_events", "MEM.rss_1m_events", "process RSS after 1M events in the memory store", "MiB"),
            ("cache_bytes_per_user", "MEM.cache_bytes_per_user", "write-model cache: heap bytes per cached user",
             "bytes")):
        bound = runs.counter(footprint, "bound_" + counter)
        m.append(measure(mid, title, runs.counter(footprint, counter), unit, bound,
                         f"documented bound: {fmt(bound)} {unit}" if bound else "documented bound", "<=1.0", "bound"))
    # --- History: command cost against the aggregate's history length (issue 5)
    m.append(measure("history.cached", "SetPhone after 10,000 prior events against after 1 (write-model cache on)",
                     us(runs.seconds("set_phone_cached/prior_events:10000")), "µs",
                     us(runs.seconds("set_phone_cached/prior_events:1")), "the same command on a 1-event history",
                     "<=1.5"))
    return m


def us(seconds):
    return None if seconds is None else seconds * 1e6


def fmt(x, digits=3):
    if x is None:
        return "—"
    if x == 0:
        return "0"
    if abs(x) >= 1e6:
        return f"{x / 1e6:.{max(digits - 1 - int(math.log10(abs(x) / 1e6)), 0)}f}M"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{max(digits - 1 - int(math.floor(math.log10(abs(x)))), 0)}f}"


def series(runs, http):
    threads = (1, 2, 8, 64)
    return {
        "sqlite_threads": [{"threads": t, "set_phone": runs.rate(f"sqlite_set_phone_group_commit/threads:{t}"),
                            "floor": runs.rate(f"sqlite_floor_set_phone_rows/n:{t}")} for t in threads],
        "postgres_threads": [{"threads": t, "set_phone": runs.rate(f"pg_set_phone_parallel_commits/threads:{t}"),
                              "floor": runs.rate(f"pg_floor_autocommit_insert/threads:{t}"),
                              "own_rows": runs.rate(f"pg_floor_set_phone_rows/threads:{t}")} for t in threads],
        "http": http,
    }


def machine(runs):
    fsync = runs.seconds("machine_fsync_one_row")
    sqlite_row = runs.seconds("sqlite_floor_one_tx_per_row")
    return {
        "cores": len(os.sched_getaffinity(0)),
        "fsync_one_row_us": us(fsync),
        "sqlite_one_row_tx_us": us(sqlite_row),
        "load_avg_at_start": runs.context.get("load_avg"),
        "cpu_mhz": runs.context.get("mhz_per_cpu"),
    }


def git_commit():
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                              cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip() or None
    except OSError:
        return None


def plot(series_data, img_dir):
    """PNG plots with gnuplot; returns the file names made (relative to img_dir)."""
    if shutil.which("gnuplot") is None:
        return []
    os.makedirs(img_dir, exist_ok=True)
    made = []
    data_dir = os.path.join(img_dir, ".data")
    os.makedirs(data_dir, exist_ok=True)
    try:
        for key, name, title, floor_title in (
                ("sqlite_threads", "sqlite_threads.png", "SQLite: SetPhone with group commit",
                 "floor: raw transactions of the same N commands' rows, one thread"),
                ("postgres_threads", "postgres_threads.png", "PostgreSQL: SetPhone with parallel commits",
                 "floor: raw autocommit INSERT from N connections")):
            points = [p for p in series_data[key] if p["set_phone"] or p["floor"]]
            if not points:
                continue
            data = os.path.join(data_dir, key + ".dat")
            with open(data, "w") as f:
                for p in points:
                    f.write(f"{p['threads']} {p['set_phone'] or 'NaN'} {p['floor'] or 'NaN'} "
                            f"{p.get('own_rows') or 'NaN'}\n")
            own_rows = ""
            if any(p.get("own_rows") for p in points):
                own_rows = (f', \\\n     "{data}" using 1:4 with linespoints lw 2 pt 9 dt 3 '
                            f'title "SetPhone\'s own rows, raw autocommit INSERT from N connections"')
            script = f"""
set terminal pngcairo size 800,480 font "sans,10"
set output "{os.path.join(img_dir, name)}"
set title "{title}, against its floor (same run)"
set xlabel "threads (N)"
set ylabel "commands per second"
set logscale x 2
set xtics ("1" 1, "2" 2, "8" 8, "64" 64)
set xrange [0.8:80]
set yrange [0:*]
set grid
set key top left
plot "{data}" using 1:2 with linespoints lw 2 pt 7 title "SetPhone from N threads", \\
     "{data}" using 1:3 with linespoints lw 2 pt 5 dt 2 title "{floor_title}"{own_rows}
"""
            subprocess.run(["gnuplot"], input=script, text=True, check=True)
            made.append(name)
        runs_with_latency = [r for r in series_data["http"] if r.get("percentiles_us")]
        if runs_with_latency:
            plots = []
            for r in runs_with_latency:
                data = os.path.join(data_dir, f"http_{r['store']}_{r['protocol']}.dat")
                with open(data, "w") as f:
                    for p, latency in r["percentiles_us"]:
                        # x: the number of nines, so that 90, 99, 99.9 are evenly spaced
                        f.write(f"{-math.log10(1 - p / 100) if p < 100 else 5} {latency / 1000} {p}\n")
                label = {"rest": "REST", "connect": "Connect binary"}[r["protocol"]]
                plots.append(f'"{data}" using 1:2 with linespoints lw 2 title "{r["store"]}, {label}"')
            name = "http_latency.png"
            script = f"""
set terminal pngcairo size 800,480 font "sans,10"
set output "{os.path.join(img_dir, name)}"
set title "userstream-server under wrk: UpdateHumanPhone latency, 64 keep-alive connections"
set xlabel "percentile"
set ylabel "latency (ms)"
set logscale y
set xtics ("0" 0, "50" 0.30103, "90" 1, "99" 2, "99.9" 3, "99.99" 4)
set xrange [0:4.1]
set grid
set key top left
plot {", ".join(plots)}
"""
            subprocess.run(["gnuplot"], input=script, text=True, check=True)
            made.append(name)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return made


def markdown(results, images, img_rel):
    mach = results["machine"]
    lines = [START, "",
             f"Generated by `./dev bench` on {results['generated']} (commit {results['commit'] or 'unknown'}) from "
             f"`build/bench/results.json`. Machine: {mach['cores']} cores; one-row fsync "
             f"{fmt(mach['fsync_one_row_us'])} µs; SQLite one-row transaction {fmt(mach['sqlite_one_row_tx_us'])} µs; "
             f"load average at start {', '.join(f'{x:.2f}' for x in (mach['load_avg_at_start'] or [])) or 'unknown'}.",
             "",
             "| id | measure | value | floor (same run) or bound | ratio | goal | met |",
             "|---|---|---|---|---|---|---|"]
    for r in results["measures"]:
        met = "—" if r["met"] is None else ("yes" if r["met"] else "**no**")
        value = "not measured" if r["value"] is None else f"{fmt(r['value'])} {r['unit']}"
        floor = "—" if r["floor"] is None else f"{fmt(r['floor'])} {r['unit']}: {r['floor_what']}"
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        goal = "—" if r["goal"] is None else r["goal"].replace(">=", "≥ ").replace("<=", "≤ ") + "×"
        lines.append(f"| `{r['id']}` | {r['title']} | {value} | {floor} | {ratio} | {goal} | {met} |")
    http = results["series"]["http"]
    if http:
        lines += ["", "HTTP runs (wrk, 64 keep-alive connections, 2 wrk threads, loopback):", "",
                  "| store | server --threads | protocol | requests/s | p50 | p90 | p99 | max | errors |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in http:
            lat = r["latency_us"]
            lines.append(f"| {r['store']} | {r.get('server_threads', '—')} | {r['protocol']} | "
                         f"{fmt(r['requests_per_second'])} | "
                         f"{lat['p50'] / 1000:.2f} ms | {lat['p90'] / 1000:.2f} ms | {lat['p99'] / 1000:.2f} ms | "
                         f"{lat['max'] / 1000:.1f} ms | {sum(r['errors'].values())} |")
    for key, label in (("sqlite_threads", "SQLite"), ("postgres_threads", "PostgreSQL")):
        points = results["series"][key]
        if any(p["set_phone"] for p in points):
            lines += ["", f"{label}, commands/s by threads (N):", "",
                      "| N | " + " | ".join(str(p["threads"]) for p in points) + " |",
                      "|---|" + "---|" * len(points),
                      "| SetPhone, group commit | " + " | ".join(fmt(p["set_phone"]) for p in points) + " |",
                      "| floor | " + " | ".join(fmt(p["floor"]) for p in points) + " |",
                      "| ratio | " + " | ".join(f"{p['set_phone'] / p['floor']:.2f}×" if p["set_phone"] and p["floor"]
                                                 else "—" for p in points) + " |"]
            if any(p.get("own_rows") for p in points):
                lines += ["| SetPhone's own rows, raw | " + " | ".join(fmt(p.get("own_rows")) for p in points) + " |",
                          "| SetPhone against them | " + " | ".join(
                              f"{p['set_phone'] / p['own_rows']:.2f}×" if p["set_phone"] and p.get("own_rows")
                              else "—" for p in points) + " |"]
    lines.append("")
    if images:
        for name in images:
            lines.append(f"![{name[:-4].replace('_', ' ')}]({img_rel}/{name})")
            lines.append("")
    else:
        lines += ["(No plots: gnuplot was not found.)", ""]
    lines.append(END)
    return "\n".join(lines)


def write_markdown(path, block):
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
        if START in text and END in text:
            before, rest = text.split(START, 1)
            after = rest.split(END, 1)[1]
            text = before + block + after
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    else:
        text = "# Benchmarks\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--in", dest="inputs", required=True,
                        help="directory of bench_*.json, http.json and callgrind.json")
    parser.add_argument("--results", required=True, help="results.json to write")
    parser.add_argument("--markdown", help="the markdown file whose generated part is rewritten")
    parser.add_argument("--img-dir", help="where the PNG plots go (linked relative to the markdown file)")
    parser.add_argument("--require-all", action="store_true",
                        help="exit 1 when a measure has no value (its benchmark was missing, failed or renamed)")
    args = parser.parse_args()

    runs = Runs(args.inputs)
    http_file = os.path.join(args.inputs, "http.json")
    http = []
    if os.path.exists(http_file):
        with open(http_file) as f:
            http = json.load(f)
    callgrind_file = os.path.join(args.inputs, "callgrind.json")
    callgrind = {}
    if os.path.exists(callgrind_file):
        with open(callgrind_file) as f:
            callgrind = json.load(f)
    results = {
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "machine": machine(runs),
        "measures": build_measures(runs, http, callgrind),
        "series": series(runs, http),
    }
    with open(args.results, "w") as f:
        json.dump(results, f, indent=2)

    if args.markdown:
        images = []
        img_rel = "img"
        if args.img_dir:
            images = plot(results["series"], args.img_dir)
            img_rel = os.path.relpath(args.img_dir, os.path.dirname(os.path.abspath(args.markdown)))
        write_markdown(args.markdown, markdown(results, images, img_rel))

    width = max(len(r["id"]) for r in results["measures"])
    for r in results["measures"]:
        state = ("no goal" if r["goal"] is None and r["value"] is not None else
                 "not measured" if r["met"] is None else ("met" if r["met"] else "NOT MET"))
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
        print(f"{r['id']:<{width}}  {fmt(r['value']):>10} {r['unit']:<11} floor {fmt(r['floor']):>10}  "
              f"ratio {ratio:>5}  goal {r['goal'] or '—':<7} {state}")
    missing = [r["id"] for r in results["measures"] if r["value"] is None]
    if args.require_all and missing:
        print(f"make_report: not measured: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
