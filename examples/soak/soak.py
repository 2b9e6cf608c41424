#!/usr/bin/env python3
"""The soak run of `./dev soak MINUTES [sqlite|postgres]` (docs/soak.md): userstream-server with its outbox and
projections under a mixed workload for MINUTES, with faults injected, then checks that nothing was lost or corrupted.

    examples/soak/soak.py --server BUILD/examples/server/userstream-server \
        --check BUILD/examples/soak/userstream-soak-check --minutes 2 --backend sqlite --out-dir build/soak/sqlite \
        --report build/soak/sqlite.json
    ... --backend postgres --store "host=127.0.0.1 port=5432 user=postgres dbname=postgres" \
        --pg-restart "pg_ctl -D DIR -m fast -w restart"

The server runs with --dev (its SMS lines on standard output give the client the codes), a token file and a key ring
file of the soak's own (so a restart keeps both), and the fault injector --dev-sms-failure-rate 0.1. The client is
bounded and self-stopping: a few threads on kept-alive loopback connections, each owning its own users, stop at the
deadline. Faults, spread over the run: the server SIGKILLed and restarted once, with the key ring rotated at that
restart (a new active key; the old one kept for codes issued before); on PostgreSQL the database restarted twice
(pg_ctl restart -m fast).

At the end: the client's acknowledged writes, the read models against a rebuild and the fate of every issued code are
checked by userstream-soak-check on the store; RSS slope, projection lag and error classes from what this script
sampled. Exit status 0 when every check holds, 1 otherwise; the summary is printed and written to --report as JSON.
Traffic goes only to 127.0.0.1.
"""
import argparse
import base64
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

ORG = "soak-org"
TOKEN = "soak-" + base64.b16encode(os.urandom(16)).decode().lower()
THREADS = 6
USERS_PER_THREAD = 100
PAUSE_S = 0.02                # between two operations of a client thread: about 250 requests/s in all
FAULT_GRACE_S = 15.0          # after a fault recovered, Unavailable and connection errors still count as the fault's
RSS_SAMPLE_S = 2.0
RSS_SLOPE_BOUND_KIB_PER_MIN = 1024.0
LAG_BOUND_EVENTS = 1000       # outside the fault windows
FINAL_CATCH_UP_S = 60.0
WRONG_CODE = "ZZZZZZ"         # valid alphabet, never a drawn code in practice (36^-6)
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def log(message):
    print(f"soak: {message}", file=sys.stderr, flush=True)


def documented_error_ids():
    with open(os.path.join(ROOT, "docs", "errors.md")) as f:
        return set(re.findall(r"`([A-Z]+(?:-[A-Za-z0-9_]+)+)`", f.read()))


# ---------------------------------------------------------------------------------------------------------------
# The server process and its faults


RUNNERS = []


class server_runner:
    """Starts, kills and restarts userstream-server; remembers each process's output files and the port."""

    def __init__(self, args, workdir):
        RUNNERS.append(self)
        self.args = args
        self.workdir = workdir
        self.port = 0
        self.proc = None
        self.generation = 0
        self.stdout_files = []
        self.stderr_files = []

    def start(self):
        self.generation += 1
        out = os.path.join(self.workdir, f"server-{self.generation}.out")
        err = os.path.join(self.workdir, f"server-{self.generation}.err")
        self.stdout_files.append(out)
        self.stderr_files.append(err)
        command = [self.args.server, "--dev", "--tokens", "tokens.json", "--keys", "keys.json",
                   "--listen", f"127.0.0.1:{self.port}", "--store", self.args.store_url,
                   "--dev-sms-failure-rate", str(self.args.sms_failure_rate)]
        with open(out, "w") as stdout, open(err, "w") as stderr:
            self.proc = subprocess.Popen(command, cwd=self.workdir, stdout=stdout, stderr=stderr)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"userstream-server exited with {self.proc.returncode}: see {err}")
            with open(out) as f:
                for line in f:
                    if line.startswith("userstream-server listening on http://"):
                        self.port = int(line.strip().rsplit(":", 1)[1])
                        return
            time.sleep(0.05)
        self.proc.kill()
        raise RuntimeError("userstream-server did not print its listening line within 120 s")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


def write_private(path, text):
    temporary = path + ".tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(temporary, path)


def key_ring(active, ids):
    return json.dumps({"active": active, "keys": [{"id": i, "key": base64.b64encode(os.urandom(32)).decode()}
                                                  for i in ids]})


def rotate_keys(path):
    """Adds k2 and makes it active; k1 stays so codes encrypted before still decrypt."""
    with open(path) as f:
        ring = json.load(f)
    ring["keys"].append({"id": "k2", "key": base64.b64encode(os.urandom(32)).decode()})
    ring["active"] = "k2"
    write_private(path, json.dumps(ring))


# ---------------------------------------------------------------------------------------------------------------
# What the client saw


class record:
    """Shared, lock-protected tallies of the run."""

    def __init__(self, acks_path):
        self.lock = threading.Lock()
        self.acks = open(acks_path, "w")
        self.requests = 0
        self.ok_by_op = {}
        self.rejections = {}          # error id -> count (documented, outside the fault classes)
        self.undocumented = []        # (time, op, status, body excerpt)
        self.fault_errors = []        # (time, op, what): Unavailable, Unknown and connection errors
        self.fault_error_ids = {}     # "status id" -> count, of those answered
        self.right_code_verified = 0
        self.right_code_rejected = 0
        self.pre_rotation_verified_after = 0
        self.pre_rotation_rejected_after = 0
        self.read_after_write_ms = []

    def ack(self, entry):
        with self.lock:
            self.acks.write(json.dumps(entry) + "\n")

    def count(self, field, amount=1):
        with self.lock:
            setattr(self, field, getattr(self, field) + amount)


class sms_inbox:
    """Tails the servers' standard output for dev SMS lines: the latest code per user, with when it was seen."""

    pattern = re.compile(r"^SMS to \S+ \(user (\S+)\): your verification code is (\S+)$")

    def __init__(self, runner):
        self.runner = runner
        self.latest = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        offsets = {}
        while not self.stop.is_set():
            for path in list(self.runner.stdout_files):
                try:
                    with open(path) as f:
                        f.seek(offsets.get(path, 0))
                        while True:
                            line = f.readline()
                            if not line.endswith("\n"):
                                break
                            offsets[path] = f.tell()
                            match = self.pattern.match(line.rstrip("\n"))
                            if match:
                                with self.lock:
                                    self.latest[match.group(1)] = (match.group(2), time.monotonic())
                except FileNotFoundError:
                    pass
            time.sleep(0.05)

    def code_after(self, user, since):
        with self.lock:
            found = self.latest.get(user)
        return found[0] if found and found[1] >= since else None


# ---------------------------------------------------------------------------------------------------------------
# The workload


class worker(threading.Thread):
    """One client thread: its own users, one kept-alive connection, random operations until the deadline."""

    OPS = [("set_v1_verified", 8), ("set_v1_unverified", 8), ("set_v2_verified", 8), ("set_v2_send", 8),
           ("set_v2_return", 8), ("verify_right", 16), ("verify_wrong", 4), ("resend_v1", 4), ("resend_v2_send", 3),
           ("resend_v2_return", 3), ("remove_v1", 3), ("remove_v2", 3), ("get_user", 12), ("get_phone", 12)]

    def __init__(self, index, ctx):
        super().__init__(daemon=True)
        self.index = index
        self.ctx = ctx
        self.random = random.Random(index)
        self.users = [f"soak-{index}-{n}" for n in range(USERS_PER_THREAD)]
        # Per user: the pending code the client knows of: {"code": str|None, "sms": bool, "since": t, "wrong": n,
        # "generation": server generation when issued}; None when none is pending.
        self.pending = {}
        self.conn = None
        self.ops = [name for name, weight in self.OPS for _ in range(weight)]
        self.added = threading.Event()  # its users are added

    # HTTP ------------------------------------------------------------------------------------------------------
    def request(self, op, method, path, body=None, v1=False):
        """Returns (status, parsed JSON or None); (None, None) for a connection error (counted as a fault error)."""
        headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if v1:
            headers["x-zitadel-orgid"] = ORG
        self.ctx.rec.count("requests")
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.ctx.runner.port, timeout=15)
            self.conn.request(method, path, None if body is None else json.dumps(body), headers)
            response = self.conn.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as e:
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            with self.ctx.rec.lock:
                self.ctx.rec.fault_errors.append((time.monotonic(), op, f"connection: {type(e).__name__}"))
            time.sleep(0.2)
            return None, None
        try:
            answer = json.loads(raw) if raw else {}
        except ValueError:
            answer = None
        if 200 <= status < 300:
            with self.ctx.rec.lock:
                self.ctx.rec.ok_by_op[op] = self.ctx.rec.ok_by_op.get(op, 0) + 1
            return status, answer
        self.classify_error(op, status, answer, raw)
        return status, answer

    def classify_error(self, op, status, answer, raw):
        error_id = None
        if isinstance(answer, dict):
            for detail in answer.get("details") or []:
                if isinstance(detail, dict) and detail.get("id"):
                    error_id = detail["id"]
            if error_id is None:
                match = re.search(r"\(([A-Z]+(?:-[A-Za-z0-9_]+)+)\)$", str(answer.get("message", "")))
                error_id = match.group(1) if match else None
        rec = self.ctx.rec
        with rec.lock:
            # Unavailable, Unknown, and Internal: a read of the store that fails (database down) throws
            # infrastructure_error, which the API answers 500 US-API-internal (docs/api.md).
            if status in (503, 500) and error_id in ("EVENTSTORE-Unavailable", "EVENTSTORE-CommitUnknown",
                                                     "US-QUERY-behind", "US-API-internal", None):
                rec.fault_errors.append((time.monotonic(), op, f"{status} {error_id}"))
                rec.fault_error_ids[f"{status} {error_id}"] = rec.fault_error_ids.get(f"{status} {error_id}", 0) + 1
            elif error_id in self.ctx.documented and status < 500:
                rec.rejections[error_id] = rec.rejections.get(error_id, 0) + 1
            else:
                rec.undocumented.append((time.monotonic(), op, status, raw[:200].decode("utf-8", "replace")))

    # Operations ------------------------------------------------------------------------------------------------
    def number(self):
        return f"+4179{self.random.randrange(10**7):07d}"

    def acked(self, op, user, answer, **extra):
        details = (answer or {}).get("details") or {}
        if "sequence" in details:
            self.ctx.rec.ack(dict({"op": op, "user": user, "sequence": details["sequence"]}, **extra))

    def issued(self, user, code, sms):
        self.pending[user] = {"code": code, "sms": sms, "since": time.monotonic(), "wrong": 0,
                              "generation": self.ctx.runner.generation}

    def add_users(self):
        for user in self.users:
            for _ in range(20):
                status, answer = self.request("add_human", "POST", "/v2/users/human", {
                    "userId": user, "organization": {"orgId": ORG}, "username": user,
                    "profile": {"givenName": "Soak", "familyName": "User"},
                    "email": {"email": f"{user}@example.com", "isVerified": True}})
                if status == 200:
                    self.acked("add_human", user, answer)
                    break
                if status == 409:  # stored by an attempt whose answer was lost
                    break
                time.sleep(0.5)

    def run(self):
        try:
            self.add_users()
            self.added.set()
            self.ctx.users_ready.wait()
            while time.monotonic() < self.ctx.deadline:
                self.step()
                time.sleep(PAUSE_S)
        except Exception as e:  # a bug in the client must fail the run, not hang it
            with self.ctx.rec.lock:
                self.ctx.rec.undocumented.append((time.monotonic(), "client", 0, f"client exception: {e!r}"))
        finally:
            if self.conn is not None:
                self.conn.close()

    def step(self):
        user = self.random.choice(self.users)
        op = self.random.choice(self.ops)
        pending = self.pending.get(user)
        m = f"/management/v1/users/{user}/phone"
        v2 = f"/v2/users/{user}/phone"
        if op in ("set_v1_verified", "set_v1_unverified"):
            verified = op == "set_v1_verified"
            phone = self.number()
            status, answer = self.request(op, "PUT", m, {"phone": phone, "isPhoneVerified": verified}, v1=True)
            if status == 200:
                self.acked("set_phone", user, answer, phone=phone, verified=verified)
                self.pending.pop(user, None)
                if not verified:
                    self.issued(user, None, True)
                self.read_after_write(user)
        elif op in ("set_v2_verified", "set_v2_send", "set_v2_return"):
            phone = self.number()
            body = {"phone": phone}
            body.update({"set_v2_verified": {"isVerified": True}, "set_v2_send": {"sendCode": {}},
                         "set_v2_return": {"returnCode": {}}}[op])
            status, answer = self.request(op, "POST", v2, body)
            if status == 200:
                verified = op == "set_v2_verified"
                self.acked("set_phone", user, answer, phone=phone, verified=verified)
                self.pending.pop(user, None)
                if op == "set_v2_send":
                    self.issued(user, None, True)
                elif op == "set_v2_return":
                    self.issued(user, answer.get("verificationCode"), False)
        elif op == "verify_right":
            if not pending:
                return
            code = pending["code"] or self.ctx.inbox.code_after(user, pending["since"])
            if code is None:
                return  # the SMS has not arrived (yet): another user's turn
            before_rotation = pending["generation"] < self.ctx.runner.generation
            status, answer = self.request(op, "POST", v2 + "/verify", {"verificationCode": code})
            if status == 200:
                self.acked("verify", user, answer)
                self.ctx.rec.count("right_code_verified")
                if before_rotation:
                    self.ctx.rec.count("pre_rotation_verified_after")
                self.pending.pop(user, None)
            elif status is not None and status < 500:
                # The code was superseded (an SMS of an older code read too late) or the phone changed: documented.
                self.ctx.rec.count("right_code_rejected")
                if before_rotation:
                    self.ctx.rec.count("pre_rotation_rejected_after")
                self.pending.pop(user, None)
        elif op == "verify_wrong":
            if pending and pending["wrong"] >= 2:
                return  # keep the code alive: 5 failures kill it
            status, _ = self.request(op, "POST", v2 + "/verify", {"verificationCode": WRONG_CODE})
            if pending and status is not None:
                pending["wrong"] += 1
        elif op in ("resend_v1", "resend_v2_send", "resend_v2_return"):
            if op == "resend_v1":
                status, answer = self.request(op, "POST", m + "/_resend_verification", {}, v1=True)
            else:
                body = {"sendCode": {}} if op == "resend_v2_send" else {"returnCode": {}}
                status, answer = self.request(op, "POST", v2 + "/resend", body)
            if status == 200:
                self.acked("resend", user, answer)
                if op == "resend_v2_return":
                    self.issued(user, answer.get("verificationCode"), False)
                else:
                    self.issued(user, None, True)
        elif op in ("remove_v1", "remove_v2"):
            if op == "remove_v1":
                status, answer = self.request(op, "DELETE", m, None, v1=True)
            else:
                status, answer = self.request(op, "DELETE", v2, {})
            if status == 200:
                self.acked("remove", user, answer)
                self.pending.pop(user, None)
        elif op == "get_user":
            self.request(op, "GET", f"/v2/users/{user}")
        elif op == "get_phone":
            self.request(op, "GET", m, v1=True)

    def read_after_write(self, user):
        """A read right after a write waits for the read model (read-your-writes): its time bounds the lag."""
        started = time.monotonic()
        status, _ = self.request("get_phone", "GET", f"/management/v1/users/{user}/phone", v1=True)
        if status == 200:
            with self.ctx.rec.lock:
                self.ctx.rec.read_after_write_ms.append((time.monotonic() - started) * 1000.0)


# ---------------------------------------------------------------------------------------------------------------
# Sampling: RSS and metrics


def scrape_metrics(port):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
        conn.request("GET", "/debug/metrics")
        response = conn.getresponse()
        text = response.read().decode()
        conn.close()
    except (OSError, http.client.HTTPException):
        return None
    if response.status != 200:
        return None
    out = {"lag": {}}
    for line in text.splitlines():
        match = re.match(r'^userstream_projection_lag_events\{projection="([^"]+)"\} (\S+)$', line)
        if match:
            out["lag"][match.group(1)] = float(match.group(2))
        for name in ("userstream_sms_outbox_pending_events", "userstream_sms_outbox_given_up_total",
                     "userstream_sms_outbox_sent_total", "userstream_sms_outbox_skipped_total"):
            if line.startswith(name + " "):
                out[name] = float(line.split()[1])
    return out


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class sampler(threading.Thread):
    def __init__(self, ctx):
        super().__init__(daemon=True)
        self.ctx = ctx
        self.stop = threading.Event()
        self.rss = []      # (t, generation, KiB)
        self.metrics = []  # (t, generation, scrape)

    def run(self):
        while not self.stop.wait(RSS_SAMPLE_S):
            runner = self.ctx.runner
            proc, generation = runner.proc, runner.generation
            if proc is None or proc.poll() is not None:
                continue
            kib = rss_kib(proc.pid)
            now = time.monotonic()
            if kib is not None:
                self.rss.append((now, generation, kib))
            scraped = scrape_metrics(runner.port)
            if scraped is not None:
                self.metrics.append((now, generation, scraped))


def slope_kib_per_min(points):
    """Least-squares slope of (seconds, KiB) in KiB per minute; None with fewer than 3 points."""
    if len(points) < 3:
        return None
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return None
    return sum((t - mean_t) * (v - mean_v) for t, v in points) / var * 60.0


# ---------------------------------------------------------------------------------------------------------------


class context:
    pass


def in_windows(t, windows):
    return any(start <= t <= end + FAULT_GRACE_S for start, end, _ in windows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--check", required=True, help="the userstream-soak-check binary")
    parser.add_argument("--minutes", type=float, required=True)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--store", help="PostgreSQL conninfo (postgres backend)")
    parser.add_argument("--pg-restart", help="shell command that restarts PostgreSQL (postgres backend)")
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--report", required=True)
    parser.add_argument("--sms-failure-rate", type=float, default=0.1)
    parser.add_argument("--smoke", action="store_true",
                        help="a run of seconds (ctest's soak_smoke_sqlite): every check but the RSS slope, which "
                             "needs minutes of samples, is enforced; the slope is still reported")
    args = parser.parse_args()
    args.server = os.path.abspath(args.server)
    args.check = os.path.abspath(args.check)
    if args.backend == "postgres" and not (args.store and args.pg_restart):
        parser.error("--backend postgres needs --store and --pg-restart")

    workdir = os.path.abspath(args.out_dir)
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    args.store_url = f"sqlite:{os.path.join(workdir, 'soak.sqlite')}" if args.backend == "sqlite" else args.store
    write_private(os.path.join(workdir, "tokens.json"), json.dumps({"tokens": [
        {"token": TOKEN, "userId": "soak-admin", "orgId": ORG, "permissions": {"*": ["user.read", "user.write"]}}]}))
    write_private(os.path.join(workdir, "keys.json"), key_ring("k1", ["k1"]))

    duration = args.minutes * 60.0
    ctx = context()
    ctx.documented = documented_error_ids()
    ctx.rec = record(os.path.join(workdir, "acks.jsonl"))
    ctx.runner = server_runner(args, workdir)
    ctx.users_ready = threading.Event()
    ctx.runner.start()
    log(f"{args.backend}: userstream-server on 127.0.0.1:{ctx.runner.port}; {args.minutes:g} min of load with faults")
    ctx.inbox = sms_inbox(ctx.runner)
    ctx.inbox.thread.start()

    # Users first (not timed), then the clock starts.
    ctx.deadline = float("inf")
    workers = [worker(i, ctx) for i in range(THREADS)]
    for w in workers:
        w.start()
    for w in workers:
        while not w.added.wait(1.0):
            if not w.is_alive():
                raise RuntimeError("a client thread ended while adding its users")
    started = time.monotonic()
    ctx.deadline = started + duration
    samples = sampler(ctx)
    samples.start()
    ctx.users_ready.set()

    # The faults, spread over the run: (fraction of the run, kind).
    schedule = [(0.40, "kill")]
    if args.backend == "postgres":
        schedule = [(0.20, "pg_restart"), (0.40, "kill"), (0.70, "pg_restart")]
    windows = []  # (start, end, kind)
    kill_time = None
    for fraction, kind in schedule:
        at = started + fraction * duration
        while time.monotonic() < at:
            time.sleep(0.1)
        begin = time.monotonic()
        if kind == "kill":
            log(f"{begin - started:6.1f} s: SIGKILL the server, rotate the key ring (k2 active, k1 kept), restart")
            ctx.runner.kill()
            kill_time = begin
            rotate_keys(os.path.join(workdir, "keys.json"))
            ctx.runner.start()
        else:
            log(f"{begin - started:6.1f} s: restart PostgreSQL (pg_ctl restart -m fast)")
            subprocess.run(args.pg_restart, shell=True, check=True, stdout=subprocess.DEVNULL)
        end = time.monotonic()
        windows.append((begin, end, kind))
        log(f"{end - started:6.1f} s: {kind} done in {end - begin:.1f} s")

    for w in workers:
        w.join()
    log(f"{time.monotonic() - started:6.1f} s: the client stopped; waiting for the outbox and projections")

    # Quiet: the read models and the outbox catch up.
    caught_up_after = None
    wait_start = time.monotonic()
    while time.monotonic() - wait_start < FINAL_CATCH_UP_S:
        scraped = scrape_metrics(ctx.runner.port)
        if scraped and all(v == 0 for v in scraped["lag"].values()) and \
                scraped.get("userstream_sms_outbox_pending_events", 1) == 0:
            caught_up_after = time.monotonic() - wait_start
            break
        time.sleep(0.5)
    time.sleep(1.0)  # a round that is still sending: let it record
    samples.stop.set()
    samples.join()
    final_metrics = scrape_metrics(ctx.runner.port)
    exit_status = ctx.runner.stop()
    ctx.inbox.stop.set()
    ctx.rec.acks.close()
    ended = time.monotonic()

    # The store checks.
    command = [args.check, "--store", args.store_url, "--keys", os.path.join(workdir, "keys.json"),
               "--acks", os.path.join(workdir, "acks.jsonl")]
    for path in ctx.runner.stdout_files:
        command += ["--sms", path]
    for path in ctx.runner.stderr_files:
        command += ["--failures", path]
    checked = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=workdir)
    try:
        store_checks = json.loads(checked.stdout)
    except ValueError:
        store_checks = {"ok": False, "error": checked.stderr.strip() or f"exit {checked.returncode}"}

    # RSS: the process that ran longest after warm-up. The restarted one (from 40% of the run) warms up for 20% of
    # the run, then its slope is measured to the end; the first process's slope from 20% to 40% is reported too.
    rss = samples.rss
    warm = 0.2 * duration
    first = [(t - started, kib) for t, g, kib in rss if g == 1 and t - started >= warm]
    last_generation = ctx.runner.generation
    restart_at = (kill_time - started) if kill_time else 0.0
    second = [(t - started, kib) for t, g, kib in rss if g == last_generation and t - started >= restart_at + warm]
    slope_first = slope_kib_per_min(first)
    slope_main = slope_kib_per_min(second if last_generation > 1 else first)
    rss_ok = args.smoke or (slope_main is not None and slope_main <= RSS_SLOPE_BOUND_KIB_PER_MIN)

    # Projection lag from the metrics, in and outside the fault windows.
    lag_outside = [max(s["lag"].values() or [0]) for t, _, s in samples.metrics if not in_windows(t, windows)]
    lag_all = [max(s["lag"].values() or [0]) for t, _, s in samples.metrics]
    outbox_pending = [s.get("userstream_sms_outbox_pending_events", 0) for t, _, s in samples.metrics]
    raw_ms = sorted(ctx.rec.read_after_write_ms)
    lag_ok = caught_up_after is not None and (max(lag_outside) if lag_outside else 0) <= LAG_BOUND_EVENTS

    # Errors: documented rejections anywhere; Unavailable/Unknown/connection errors only in fault windows.
    faults_in = [e for e in ctx.rec.fault_errors if in_windows(e[0], windows)]
    faults_out = [e for e in ctx.rec.fault_errors if not in_windows(e[0], windows)]
    errors_ok = not ctx.rec.undocumented and not faults_out

    by_key = (store_checks.get("codes") or {}).get("by_key") or {}
    rotation_ok = by_key.get("k2", 0) > 0 and by_key.get("k1", 0) > 0 and (
        ctx.rec.pre_rotation_verified_after > 0 or ctx.rec.pre_rotation_rejected_after == 0)

    checks = {
        "acknowledged_writes_stored": bool((store_checks.get("acknowledged") or {}).get("ok")),
        "read_models_equal_rebuild": bool((store_checks.get("read_models") or {}).get("ok")),
        "codes_sent_or_given_up": bool((store_checks.get("codes") or {}).get("ok")),
        "rss_flat": rss_ok,
        "projection_lag_bounded": lag_ok,
        "only_documented_errors": errors_ok,
        "key_rotation": rotation_ok,
        "server_exit_0": exit_status == 0,
    }
    report = {
        "backend": args.backend,
        "minutes": args.minutes,
        "smoke": args.smoke,
        "elapsed_s": round(ended - started, 1),
        "client_threads": THREADS,
        "users": THREADS * USERS_PER_THREAD,
        "requests": ctx.rec.requests,
        "requests_per_s": round(ctx.rec.requests / duration, 1),
        "ok_by_op": ctx.rec.ok_by_op,
        "faults": [{"kind": k, "at_s": round(b - started, 1), "took_s": round(e - b, 2)} for b, e, k in windows],
        "sms_failure_rate": args.sms_failure_rate,
        "rss": {"bound_kib_per_min": RSS_SLOPE_BOUND_KIB_PER_MIN,
                "slope_kib_per_min": None if slope_main is None else round(slope_main, 1),
                "measured_over_s": round(second[-1][0] - second[0][0], 1) if len(second) > 1 else 0,
                "first_process_slope_kib_per_min": None if slope_first is None else round(slope_first, 1),
                "min_kib": min((k for _, _, k in rss), default=None),
                "max_kib": max((k for _, _, k in rss), default=None),
                "samples": len(rss),
                "series": [[round(t - started, 1), g, kib] for t, g, kib in rss]},
        "projection_lag": {"bound_events_outside_faults": LAG_BOUND_EVENTS,
                           "max_events_outside_faults": max(lag_outside) if lag_outside else 0,
                           "max_events": max(lag_all) if lag_all else 0,
                           "outbox_pending_max_events": max(outbox_pending) if outbox_pending else 0,
                           "caught_up_after_run_s": None if caught_up_after is None else round(caught_up_after, 2),
                           "read_after_write_ms_p50": raw_ms[len(raw_ms) // 2] if raw_ms else None,
                           "read_after_write_ms_p99": raw_ms[int(len(raw_ms) * 0.99)] if raw_ms else None,
                           "read_after_write_ms_max": raw_ms[-1] if raw_ms else None},
        "errors": {"documented_rejections": ctx.rec.rejections,
                   "fault_errors_in_windows": len(faults_in),
                   "fault_errors_by_answer": ctx.rec.fault_error_ids,
                   "connection_errors": sum(1 for e in ctx.rec.fault_errors if e[2].startswith("connection")),
                   "fault_errors_outside_windows": [f"{t - started:.1f} s {op}: {what}" for t, op, what in faults_out][:50],
                   "undocumented": [f"{t - started:.1f} s {op}: {status} {body}" for t, op, status, body in
                                    ctx.rec.undocumented][:50],
                   "fault_grace_s": FAULT_GRACE_S},
        "verification": {"right_code_verified": ctx.rec.right_code_verified,
                         "right_code_rejected": ctx.rec.right_code_rejected,
                         "pre_rotation_codes_verified_after_restart": ctx.rec.pre_rotation_verified_after,
                         "pre_rotation_codes_rejected_after_restart": ctx.rec.pre_rotation_rejected_after},
        "metrics_at_end": final_metrics,
        "store": store_checks,
        "checks": checks,
        "ok": all(checks.values()),
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
    with open(args.report, "w") as f:
        json.dump(report, f, indent=2)

    codes = store_checks.get("codes") or {}
    print(f"soak {args.backend}, {args.minutes:g} min: {report['requests']} requests ({report['requests_per_s']}/s), "
          f"{len(windows)} faults: " + ", ".join(f"{x['kind']} at {x['at_s']} s" for x in report["faults"]))
    print(f"  acknowledged writes checked: {(store_checks.get('acknowledged') or {}).get('checked')}; "
          f"events {store_checks.get('events')}, users {store_checks.get('users')}")
    print(f"  codes: issued {codes.get('issued')}, returned {codes.get('returned')}, sent {codes.get('sent')}, "
          f"skipped (superseded {codes.get('skipped_superseded')}, expired {codes.get('skipped_expired')}, no phone {codes.get('skipped_no_phone')}), "
          f"given up {codes.get('given_up_after_injected_failures')}, injected failures {codes.get('injected_failures')}, "
          f"by key {by_key}")
    print(f"  RSS slope after warm-up {report['rss']['slope_kib_per_min']} KiB/min over "
          f"{report['rss']['measured_over_s']} s (bound {RSS_SLOPE_BOUND_KIB_PER_MIN:g}); "
          f"first process {report['rss']['first_process_slope_kib_per_min']}; "
          f"RSS {report['rss']['min_kib']}..{report['rss']['max_kib']} KiB")
    lag = report["projection_lag"]
    print(f"  projection lag: max {lag['max_events_outside_faults']} events outside faults, {lag['max_events']} overall "
          f"(bound {LAG_BOUND_EVENTS}); caught up {lag['caught_up_after_run_s']} s after the run; read after write "
          f"p50 {lag['read_after_write_ms_p50'] and round(lag['read_after_write_ms_p50'], 1)} ms, "
          f"max {lag['read_after_write_ms_max'] and round(lag['read_after_write_ms_max'], 1)} ms")
    print(f"  errors: documented {sum(ctx.rec.rejections.values())} {ctx.rec.rejections}; fault-window "
          f"{len(faults_in)}; outside windows {len(faults_out)}; undocumented {len(ctx.rec.undocumented)}")
    print(f"  verification: right code verified {ctx.rec.right_code_verified}, rejected {ctx.rec.right_code_rejected}; "
          f"pre-rotation codes verified after the restart {ctx.rec.pre_rotation_verified_after}")
    for name, value in checks.items():
        print(f"  {'ok  ' if value else 'FAIL'} {name}")
    print(f"  report: {args.report}")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        # A run that failed half-way leaves no server behind.
        for runner in RUNNERS:
            if runner.proc is not None and runner.proc.poll() is None:
                runner.proc.kill()
                runner.proc.wait()
