"""Reads the BENCH_RESULT line of one wrk run (bench/lua/common.lua prints it).

  wrkline.py rps JSON            requests per second, as an integer
  wrkline.py summary LABEL JSON  one human-readable progress line for the log
"""

import json
import sys


def rps(result):
    return result["requests"] / (result["duration_us"] / 1e6)


mode = sys.argv[1]
if mode == "rps":
    print(int(rps(json.loads(sys.argv[2]))))
elif mode == "summary":
    label, r = sys.argv[2], json.loads(sys.argv[3])
    errors = r["connect"] + r["read"] + r["write"] + r["timeout"] + r["status"]
    print(f"{label}: {rps(r):,.0f} req/s, p50 {r['p50_us'] / 1000:.1f} ms, p99 {r['p99_us'] / 1000:.1f} ms, {errors} errors")
else:
    sys.exit(f"wrkline.py: unknown mode {mode!r}")
