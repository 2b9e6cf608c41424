#!/usr/bin/env python3
"""Instruction counts of P1 (in-memory SetPhone against bare libphonenumber) under callgrind, which are repeatable
where wall time on a shared machine is not.

    benchmarks/report/count_instructions.py --bench build/release/benchmarks/bench_phone --out build/bench/callgrind.json

Runs `bench_phone --count=MODE:N` under `valgrind --tool=callgrind --instr-atstart=no` for the floor, the verified
path and the return_code path: only the loop of N operations is instrumented (bench_phone starts and stops the
instrumentation around it), so the count divided by N is the instructions per operation. Writes
{"floor": Ir, "verified": Ir, "return_code": Ir, "operations": N}.
"""
import argparse
import json
import re
import shutil
import subprocess
import sys


def count(bench, mode, n):
    completed = subprocess.run(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null", bench,
         f"--count={mode}:{n}"], capture_output=True, text=True, timeout=600)
    found = re.search(r"Collected\s*:\s*(\d+)", completed.stderr)
    if completed.returncode != 0 or not found:
        raise RuntimeError(f"callgrind {mode}: exit {completed.returncode}\n{completed.stderr[-2000:]}")
    return int(found.group(1)) / n


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", required=True, help="the bench_phone binary")
    parser.add_argument("--out", required=True)
    parser.add_argument("--operations", type=int, default=1000)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("count_instructions: valgrind is not installed (Debian package valgrind)", file=sys.stderr)
        return 1
    result = {"operations": args.operations}
    for mode in ("floor", "verified", "return_code"):
        result[mode] = count(args.bench, mode, args.operations)
        print(f"{mode:12} {result[mode]:12,.0f} instructions per operation", flush=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
