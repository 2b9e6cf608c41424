#!/usr/bin/env python3
"""Mutation testing for userstream: apply each mutant of tests/mutation/mutants.txt to a scratch copy of the
repository, rebuild what it touches, run the fast test suites, and report KILLED (with the killing test) or SURVIVED.

The scratch copy is a git clone of the repository's HEAD (--overlay/--working-tree add uncommitted files), kept with
its own build tree between runs, so a second run rebuilds only what changed (ninja, ccache). For each mutant the suites
run one at a time, those most likely to kill it first (by the mutated file's directory); each suite builds only its
own targets, so a mutant killed by the unit tests never relinks the server. Within a suite ctest stops at the first
failing test, and a test that hangs is stopped by the timeout and counts as a kill.

Exit status: 0 when every mutant was KILLED; 1 when one SURVIVED, is INVALID (its original text does not occur
exactly once in its file) or does not compile, or when the unmutated baseline fails. Python 3 standard library only.
Run it through `./dev mutate`, which installs the packages and starts a throwaway PostgreSQL cluster; see
docs/mutation.md.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = HERE.parent.parent

# The suites, in the order they run when the mutated file suggests none: the fast, broad ones first. Each names the
# test executables whose ctest tests it runs (test commands are matched by the executable's file name), and the
# targets to build for them. Left out on purpose: the packaging and consumer builds (cmake -P, minutes each), the
# server's load, soak and shutdown-under-load tests, the official Node client, the benchmarks, the fuzz replays.
SUITES = [
    ("unit", ["userstream_unit_tests"], []),
    ("group_commit", ["group_commit_test"], []),
    ("projections", ["userstream_projection_tests", "phone_changes_example"], []),
    ("conformance", ["conformance_memory", "conformance_sqlite_memory", "conformance_sqlite_file", "store_url_test",
                     "sql_errors_test", "conformance_postgres"], ["conformance_writer"]),
    ("api", ["userstream_api_tests"], []),
    ("testing", ["userstream_testing_tests", "notifications_example_tests"], []),
    ("scenario", ["userstream_scenario_tests", "scenario"], []),
    ("server", ["userstream_server_tests", "userstream_server_grpc_tests"], ["userstream-server"]),
]
# Tests of those executables that take minutes or need the network beyond localhost.
EXCLUDE = re.compile(r"under load|soak|while 20 clients|hostile clients|official_zitadel_client|bench")

# Which suites a mutated file's path makes most likely to kill it: they run first.
PREFERRED = [
    ("src/api/", ["api", "server"]),
    ("examples/server/", ["server"]),
    ("src/backends/postgres/", ["conformance"]),
    ("src/sql/postgres/", ["conformance", "projections"]),
    ("src/backends/common/", ["group_commit", "conformance"]),
    ("src/backends/", ["conformance"]),
    ("src/sql/", ["conformance", "projections"]),
    ("src/projections/", ["projections"]),
    ("src/subscriptions/", ["projections"]),
    ("src/eventstore/", ["unit", "conformance"]),
    ("examples/scenario/", ["scenario"]),
]


@dataclass
class Mutant:
    name: str
    title: str
    file: str = ""
    breaks: str = ""
    suites: list = field(default_factory=list)  # optional `suite:` hint, runs first
    edits: list = field(default_factory=list)  # (original, replacement) pairs, applied in order
    line: int = 0  # where it starts in mutants.txt


def parse_mutants(path):
    """Blocks of:
        === <name>: <title>
        file: <path relative to the repository>
        breaks: <the behaviour the mutant breaks>
        suite: <suite to run first>            (optional)
        --- original
        <exact text, one or more lines>
        +++ replacement
        <text, zero or more lines>
    A mutant may hold several original/replacement pairs (e.g. a swap of two ids), each of whose originals must occur
    exactly once. Lines starting with '#' outside the text blocks are comments."""
    mutants = []
    current = None
    mode = None
    for number, raw in enumerate(Path(path).read_text().splitlines(), 1):
        if raw.startswith("=== "):
            head = raw[4:]
            name, _, title = head.partition(":")
            current = Mutant(name=name.strip(), title=title.strip(), line=number)
            current._pairs = []
            mutants.append(current)
            mode = "fields"
            continue
        if current is None:
            continue
        if raw == "--- original":
            mode = "original"
            current._pairs.append(([], []))
            continue
        if raw == "+++ replacement":
            mode = "replacement"
            continue
        if mode == "fields":
            if not raw.strip() or raw.startswith("#"):
                continue
            key, _, value = raw.partition(":")
            key, value = key.strip(), value.strip()
            if key == "file":
                current.file = value
            elif key == "breaks":
                current.breaks = value
            elif key == "suite":
                current.suites = value.split()
            else:
                raise SystemExit(f"{path}:{number}: unknown field {key!r}")
        elif mode == "original":
            current._pairs[-1][0].append(raw)
        elif mode == "replacement":
            current._pairs[-1][1].append(raw)
    for m in mutants:
        for orig, repl in m._pairs:
            while orig and not orig[-1].strip():
                orig.pop()
            while repl and (not repl[-1].strip() or repl[-1].startswith("#")):
                repl.pop()
            m.edits.append(("\n".join(orig), "\n".join(repl)))
        if not (m.name and m.file and m.breaks and m.edits and all(o for o, _ in m.edits)):
            raise SystemExit(f"{path}:{m.line}: mutant {m.name!r} needs file, breaks and an original text")
    names = [m.name for m in mutants]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise SystemExit(f"{path}: duplicate mutant names: {', '.join(sorted(duplicates))}")
    return mutants


def log(text):
    print(text, flush=True)


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, **kwargs)


def prepare_copy(root, work, overlay, working_tree, patches=()):
    """A clone of root's HEAD in work/src, refreshed in place (unchanged files keep their times, so ninja rebuilds
    only what differs from the last run), plus the uncommitted files asked for."""
    src = work / "src"
    if not (src / ".git").exists():
        if src.exists():
            shutil.rmtree(src)
        work.mkdir(parents=True, exist_ok=True)
        run(["git", "clone", "--quiet", "--no-checkout", str(root), str(src)])
    run(["git", "-C", str(src), "fetch", "--quiet", "--force", str(root), "HEAD"])
    run(["git", "-C", str(src), "checkout", "--quiet", "--force", "--detach", "FETCH_HEAD"])
    run(["git", "-C", str(src), "clean", "-fdxq", "-e", "/build/"])  # keeps the build tree
    head = subprocess.run(["git", "-C", str(src), "rev-parse", "--short", "HEAD"], check=True, text=True,
                          capture_output=True).stdout.strip()
    paths = []
    if working_tree:
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "-uall", "-z"], check=True,
                                capture_output=True, text=True).stdout
        for entry in status.split("\0"):
            if len(entry) > 3 and entry[:2] != " D":
                paths.append(entry[3:])
    for item in overlay:
        p = (root / item)
        if p.is_dir():
            listed = subprocess.run(["git", "-C", str(root), "ls-files", "-co", "--exclude-standard", "-z", item],
                                    check=True, capture_output=True, text=True).stdout
            paths += [x for x in listed.split("\0") if x]
        else:
            paths.append(item)
    copied = 0
    for rel in sorted(set(paths)):
        source, target = root / rel, src / rel
        if not source.is_file():
            continue
        if target.is_file() and target.read_bytes() == source.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        copied += 1
    for patch in patches:
        run(["git", "-C", str(src), "apply", str(Path(patch).resolve())])
        copied += 1
    return src, head, copied


def configure(src, build, jobs):
    env = build_env(src)
    # The flags of ./dev build, so ccache shares objects with it; the linker drops the debug information, which is
    # most of each link's output and of no use here.
    flags = ["-G", "Ninja", "-DUSERSTREAM_WERROR=ON", "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
             "-DUSERSTREAM_BUILD_BENCHMARKS=OFF", "-DCMAKE_EXE_LINKER_FLAGS=-Wl,--strip-debug"]
    if shutil.which("ccache"):
        flags.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
    run(["cmake", "-S", str(src), "-B", str(build)] + flags, env=env, stdout=subprocess.DEVNULL)


def build_env(src):
    env = dict(os.environ)
    env.setdefault("CCACHE_BASEDIR", str(src))
    env.setdefault("CCACHE_NOHASHDIR", "true")
    return env


def discover(build):
    """The ctest tests of the build, as (number, name, executable file name)."""
    out = subprocess.run(["ctest", "--test-dir", str(build), "--show-only=json-v1"], check=True,
                         capture_output=True, text=True).stdout
    tests = []
    for number, t in enumerate(json.loads(out)["tests"], 1):
        command = t.get("command") or [""]
        exe = os.path.basename(command[0])
        if exe.endswith("_NOT_BUILT") or "_NOT_BUILT-" in t["name"]:
            exe = t["name"].split("_NOT_BUILT")[0]
        tests.append((number, t["name"], exe))
    return tests


def suite_tests(tests, executables, postgres):
    chosen = []
    for number, name, exe in tests:
        if exe not in executables or EXCLUDE.search(name):
            continue
        if not postgres and (exe == "conformance_postgres" or re.search(r"postgres", name, re.I)):
            continue
        chosen.append((number, name))
    return chosen


def known_targets(build):
    out = subprocess.run(["ninja", "-C", str(build), "-t", "targets", "all"], check=True, capture_output=True,
                         text=True).stdout
    return {line.split(":")[0] for line in out.splitlines() if ":" in line}


def build_targets(build, targets, jobs, src):
    result = subprocess.run(["cmake", "--build", str(build), "-j", str(jobs), "--target"] + targets,
                            env=build_env(src), capture_output=True, text=True)
    return result.returncode == 0, result.stdout + result.stderr


def run_suite(build, work, suite_name, numbers, jobs, timeout):
    """Runs the given ctest tests; returns (failed test name or None, reason)."""
    spec = work / f"tests-{suite_name}.txt"
    spec.write_text("0,0,0," + ",".join(str(n) for n in numbers) + "\n")
    junit = work / f"junit-{suite_name}.xml"
    if junit.exists():
        junit.unlink()
    cmd = ["ctest", "--test-dir", str(build), "-I", str(spec), "--stop-on-failure", "-j", str(jobs),
           "--timeout", str(timeout), "--output-junit", str(junit), "-Q"]
    try:
        subprocess.run(cmd, capture_output=True, text=True, timeout=timeout * 4 + 600)
    except subprocess.TimeoutExpired:
        return "(ctest itself)", "timeout"
    if not junit.exists():
        return "(ctest wrote no report)", "error"
    for case in ET.parse(junit).getroot().iter("testcase"):
        status = case.get("status", "")
        failure = case.find("failure")
        if status == "fail" or failure is not None:
            message = failure.get("message", "") if failure is not None else status
            return case.get("name"), ("timeout" if "timeout" in message.lower() else "failed")
    return None, ""


def suite_order(mutant):
    order = list(mutant.suites)
    for prefix, suites in PREFERRED:
        if mutant.file.startswith(prefix):
            order += suites
            break
    order += [s[0] for s in SUITES]
    seen, out = set(), []
    for s in order:
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="the repository (default: this checkout)")
    parser.add_argument("--work", type=Path, help="scratch directory (default: <root>/build/mutate-work)")
    parser.add_argument("--mutants", type=Path, help="the list (default: <root>/tests/mutation/mutants.txt)")
    parser.add_argument("--only", help="regex: run only the mutants whose name matches")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=int, default=60, help="seconds per test (a hang counts as a kill)")
    parser.add_argument("--overlay", nargs="*", default=[],
                        help="uncommitted files or directories of the root to copy over the clone of HEAD")
    parser.add_argument("--working-tree", action="store_true",
                        help="copy every uncommitted change of the root over the clone of HEAD")
    parser.add_argument("--patch", nargs="*", default=[], help="patch files to apply to the copy (git apply)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run of every suite")
    parser.add_argument("--check", action="store_true",
                        help="only check that every mutant's original text occurs exactly once, then exit")
    args = parser.parse_args()

    root = args.root.resolve()
    work = (args.work or root / "build" / "mutate-work").resolve()
    mutants = parse_mutants(args.mutants or HERE / "mutants.txt")
    if args.only:
        mutants = [m for m in mutants if re.search(args.only, m.name)]
    postgres = bool(os.environ.get("USERSTREAM_TEST_POSTGRES"))
    started = time.monotonic()

    log(f"==> preparing a scratch copy of {root} in {work}")
    src, head, copied = prepare_copy(root, work, args.overlay, args.working_tree, args.patch)
    log(f"    HEAD {head}" + (f", {copied} uncommitted file(s) or patch(es) put over it" if copied else ""))

    # Every mutant must apply exactly once to the copy before anything is built.
    invalid = []
    for m in mutants:
        path = src / m.file
        text = path.read_text() if path.is_file() else ""
        counts = [text.count(original) for original, _ in m.edits]
        if any(c != 1 for c in counts):
            invalid.append((m, next(c for c in counts if c != 1), path.is_file()))
    for m, count, exists in invalid:
        why = "no such file" if not exists else f"its original text occurs {count} times (must be once)"
        log(f"INVALID {m.name} ({m.file}): {why}  [mutants.txt:{m.line}]")
    if args.check or invalid:
        log(f"{len(mutants) - len(invalid)}/{len(mutants)} mutants apply")
        return 1 if invalid else 0

    # The build tree sits where a developer's does (<source>/build/<name>), so with CCACHE_BASEDIR the compiler sees
    # the same relative paths as in build/release and ccache can reuse its objects.
    build = src / "build" / "mutate"
    log("==> configuring and building the suites (ccache; only what changed since the last run)")
    configure(src, build, args.jobs)
    known = known_targets(build)
    wanted = {}
    for name, executables, extra in SUITES:
        targets = [t for t in executables + extra if t in known]
        if any(t in known for t in executables):
            wanted[name] = (targets, executables)
    for name, (targets, _) in wanted.items():
        ok, output = build_targets(build, targets, args.jobs, src)
        if not ok:
            sys.stdout.write(output[-4000:])
            log(f"the unmutated tree does not build ({name}): fix that first")
            return 1
    # Catch2's tests are discovered when their executable is built, so the list is read after the build.
    tests = discover(build)
    suites = {}
    for name, (targets, executables) in wanted.items():
        chosen = suite_tests(tests, executables, postgres)
        if chosen:
            suites[name] = (targets, chosen)
    if not postgres:
        log("    USERSTREAM_TEST_POSTGRES is not set: the PostgreSQL tests are left out "
            "(./dev mutate starts a cluster)")
    log(f"    built in {time.monotonic() - started:.0f} s; suites: " +
        ", ".join(f"{n} ({len(c)} tests)" for n, (_, c) in suites.items()))

    if not args.no_baseline:
        log("==> baseline: every suite on the unmutated tree must pass")
        for name, (targets, chosen) in suites.items():
            t0 = time.monotonic()
            failed, reason = run_suite(build, work, name, [n for n, _ in chosen], args.jobs, args.timeout)
            log(f"    {name}: {'FAILED ' + reason + ': ' + failed if failed else 'passed'} "
                f"({time.monotonic() - t0:.0f} s)")
            if failed:
                log("the baseline fails: a mutation score means nothing until it passes")
                return 1

    log(f"==> {len(mutants)} mutants")
    results = []
    for index, m in enumerate(mutants, 1):
        t0 = time.monotonic()
        path = src / m.file
        original_text = path.read_text()
        mutated = original_text
        for original, replacement in m.edits:
            mutated = mutated.replace(original, replacement, 1)
        path.write_text(mutated)
        verdict, detail = "SURVIVED", ""
        try:
            for suite in suite_order(m):
                if suite not in suites:
                    continue
                targets, chosen = suites[suite]
                ok, output = build_targets(build, targets, args.jobs, src)
                if not ok and "Error running test executable" in output:
                    # It compiled, but a test executable fails when asked for its list of tests.
                    verdict, detail = "KILLED", f"by {suite}: a test executable fails at start (test discovery)"
                    break
                if not ok:
                    verdict, detail = "NOCOMPILE", output[-3000:]
                    break
                failed, reason = run_suite(build, work, suite, [n for n, _ in chosen], args.jobs, args.timeout)
                if failed:
                    verdict = "KILLED"
                    detail = f"by {suite}: {failed}" + (" (timeout)" if reason == "timeout" else "")
                    break
        finally:
            path.write_text(original_text)
        seconds = time.monotonic() - t0
        results.append((m, verdict, detail, seconds))
        line = f"[{index}/{len(mutants)}] {m.name}: {verdict}"
        if verdict == "KILLED":
            line += f" {detail}"
        line += f"  ({seconds:.0f} s)"
        log(line)
        if verdict == "SURVIVED":
            log(f"    {m.file}: {m.breaks}")
        elif verdict == "NOCOMPILE":
            log(f"    {m.file}: the mutant does not compile; a mutant must be a bug that builds:\n{detail}")

    killed = sum(1 for _, v, _, _ in results if v == "KILLED")
    total = len(results)
    elapsed = time.monotonic() - started
    log("")
    log(f"mutation score: {killed}/{total} killed ({100.0 * killed / total if total else 0:.0f}%), "
        f"{elapsed / 60:.1f} min")
    for m, verdict, _, _ in results:
        if verdict != "KILLED":
            log(f"  {verdict}: {m.name} ({m.file}) - {m.breaks}")
    return 0 if killed == total else 1


if __name__ == "__main__":
    sys.exit(main())
