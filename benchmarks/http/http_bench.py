#!/usr/bin/env python3
"""userstream-server under wrk: v1 UpdateHumanPhone (SetPhone) over REST and over Connect binary, on the memory store
and on SQLite, from 64 keep-alive connections on loopback for a bounded time.

    benchmarks/http/http_bench.py --server build/release/examples/server/userstream-server --out build/bench/http.json
    benchmarks/http/http_bench.py --server ... --out ... --smoke     # 1 s per run: does it still work?

For each store it starts `userstream-server --dev --listen 127.0.0.1:0 --store ... --threads N` (4 workers on the
memory store, 64 on SQLite: see --sqlite-threads) in a scratch directory, makes the users with v2 AddHumanUser over
one keep-alive connection, runs wrk with benchmarks/http/set_phone.lua (each request changes a phone, so each is a
durable write on SQLite), and stops the server with SIGTERM. The output is a
JSON array with one object per run: requests per second, the latency percentiles in microseconds, wrk's error
counts. Exit status 1 when a run failed or (with --smoke) answered anything but 200.

Traffic goes only to 127.0.0.1, and every run is bounded by --duration.
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ORG = "bench-org"


def start_server(binary, store, threads, workdir):
    """Starts the server and returns (process, host, port, token) once it prints that it listens."""
    stdout = open(os.path.join(workdir, "server.out"), "w+")
    # The access log (one line per request on standard error) goes to a file: a terminal or a pipe would throttle it.
    stderr = open(os.path.join(workdir, "server.err"), "w")
    proc = subprocess.Popen([binary, "--dev", "--listen", "127.0.0.1:0", "--store", store, "--threads", str(threads)],
                            cwd=workdir, stdout=stdout, stderr=stderr)
    deadline = time.monotonic() + 60
    token = address = None
    while time.monotonic() < deadline and address is None:
        if proc.poll() is not None:
            raise RuntimeError(f"userstream-server exited with {proc.returncode}: see {workdir}/server.err")
        stdout.seek(0)
        for line in stdout.read().splitlines():
            if line.startswith("dev admin token: "):
                token = line.split(": ", 1)[1].strip()
            if line.startswith("userstream-server listening on http://"):
                address = line.rsplit("http://", 1)[1].strip()
        time.sleep(0.05)
    if address is None or token is None:
        proc.kill()
        raise RuntimeError("userstream-server did not print its address and token within 60 s")
    host, port = address.rsplit(":", 1)
    return proc, host, int(port), token


def stop_server(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def make_users(host, port, token, prefix, threads, users_per_thread, connections=8):
    """v2 AddHumanUser for "<prefix>-<thread>-<n>", without a phone, over a few keep-alive connections at once (so
    that a store with group commit makes them in groups: thousands of users, quickly)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"}
    users = [f"{prefix}-{t}-{n}" for t in range(threads) for n in range(users_per_thread)]

    def add(share):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            for user in share:
                body = json.dumps({"userId": user, "organization": {"orgId": ORG}, "username": user,
                                   "profile": {"givenName": "Bench", "familyName": "User"},
                                   "email": {"email": f"{user}@example.com", "isVerified": True}})
                conn.request("POST", "/v2/users/human", body, headers)
                response = conn.getresponse()
                answer = response.read()
                if response.status != 200:
                    raise RuntimeError(f"AddHumanUser {user}: {response.status} {answer[:200]!r}")
        finally:
            conn.close()

    with concurrent.futures.ThreadPoolExecutor(max_workers=connections) as pool:
        for done in [pool.submit(add, users[i::connections]) for i in range(connections)]:
            done.result()


def run_wrk(host, port, token, mode, prefix, args, workdir):
    result_file = os.path.join(workdir, f"wrk-{prefix}.json")
    env = dict(os.environ, BENCH_MODE=mode, BENCH_TOKEN=token, BENCH_ORG=ORG, BENCH_PREFIX=prefix,
               BENCH_USERS_PER_THREAD=str(args.users_per_thread), BENCH_RESULT=result_file)
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "5s",
               "-s", os.path.join(HERE, "set_phone.lua"), f"http://{host}:{port}/"]
    completed = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=args.duration + 60)
    if completed.returncode != 0 or not os.path.exists(result_file):
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{completed.stdout}")
    with open(result_file) as f:
        summary = json.load(f)
    summary["wrk_output"] = completed.stdout
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", required=True, help="the userstream-server binary")
    parser.add_argument("--out", required=True, help="where to write the JSON results")
    parser.add_argument("--smoke", action="store_true", help="1 s per run: only check that it works")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    # A wrk thread walks its users in turn, so a user comes round again after this many of the thread's requests; a
    # request still in flight then (stalled by a loaded machine) would meet the next one for the same user, a
    # Conflict or a phone "not changed". With 512, at 10,000 requests/s per thread, a 50 ms stall was enough.
    parser.add_argument("--users-per-thread", type=int, default=4096)
    parser.add_argument("--stores", default="memory,sqlite", help="comma-separated: memory, sqlite")
    # Workers that run requests. On SQLite a worker waits for its group's fsync, so only as many commands as workers
    # can share a commit: 64 workers let 64 connections form groups of up to 64, as the in-process benchmark's 64
    # threads do. On the memory store a command never waits, and the server's default (4) keeps both cores busy.
    parser.add_argument("--memory-threads", type=int, default=4, help="server --threads on the memory store")
    parser.add_argument("--sqlite-threads", type=int, default=64, help="server --threads on SQLite")
    args = parser.parse_args()
    args.server = os.path.abspath(args.server)  # the server runs in a scratch directory
    if args.smoke:
        args.duration = 1
    if shutil.which("wrk") is None:
        print("http_bench: wrk is not installed (Debian package wrk; ./dev bench installs it)", file=sys.stderr)
        return 1

    results = []
    failed = False
    for store_name in args.stores.split(","):
        workdir = tempfile.mkdtemp(prefix=f"userstream-http-bench-{store_name}-")
        try:
            store = "memory:" if store_name == "memory" else f"sqlite:{os.path.join(workdir, 'bench.sqlite')}"
            server_threads = args.memory_threads if store_name == "memory" else args.sqlite_threads
            proc, host, port, token = start_server(args.server, store, server_threads, workdir)
            try:
                for mode in ("rest", "connect"):
                    prefix = f"{store_name[0]}{mode[0]}"
                    make_users(host, port, token, prefix, args.threads, args.users_per_thread)
                    summary = run_wrk(host, port, token, mode, prefix, args, workdir)
                    seconds = summary["duration_us"] / 1e6
                    entry = {
                        "store": store_name,
                        "protocol": mode,
                        "connections": args.connections,
                        "server_threads": server_threads,
                        "duration_s": seconds,
                        "requests": summary["requests"],
                        "requests_per_second": summary["requests"] / seconds if seconds else 0.0,
                        "latency_us": summary["latency_us"],
                        "percentiles_us": summary["percentiles_us"],
                        "errors": summary["errors"],
                    }
                    results.append(entry)
                    bad = sum(summary["errors"].values())
                    print(f"{store_name:7} {mode:8} {entry['requests_per_second']:10.0f} req/s  "
                          f"p50 {entry['latency_us']['p50'] / 1000:7.2f} ms  p90 {entry['latency_us']['p90'] / 1000:7.2f} ms  "
                          f"p99 {entry['latency_us']['p99'] / 1000:7.2f} ms  errors {bad}", flush=True)
                    if summary["requests"] == 0 or (args.smoke and bad):
                        print(summary["wrk_output"], file=sys.stderr)
                        failed = True
            finally:
                stop_server(proc)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            print(f"http_bench: {store_name}: {e}", file=sys.stderr)
            failed = True
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
