#!/usr/bin/env python3
"""Print criterion results as a table of medians (and throughput).

Usage: scripts/crit_table.py [CRITERION_DIR] [GROUP_REGEX]
Reads <dir>/**/new/{estimates,benchmark}.json, as written by `cargo bench`.
CRITERION_DIR defaults to target/criterion.
"""
import json, os, re, sys

root = sys.argv[1] if len(sys.argv) > 1 else "target/criterion"
pattern = re.compile(sys.argv[2] if len(sys.argv) > 2 else ".")


def fmt_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:8.3f} {unit}"
    return f"{ns:8.1f} ns"


rows = []
for dirpath, _, files in os.walk(root):
    if not dirpath.endswith(os.sep + "new") or "estimates.json" not in files:
        continue
    with open(os.path.join(dirpath, "benchmark.json")) as f:
        bench = json.load(f)
    with open(os.path.join(dirpath, "estimates.json")) as f:
        est = json.load(f)
    full = bench["full_id"]
    if not pattern.search(full):
        continue
    median = est["median"]["point_estimate"]
    thrpt = ""
    tp = bench.get("throughput") or {}
    if "Bytes" in tp:
        thrpt = f"{tp['Bytes'] / median:8.2f} GB/s"
    elif "Elements" in tp:
        thrpt = f"{tp['Elements'] / median * 1e3:8.1f} Melem/s"
    rows.append((bench["group_id"], str(bench.get("value_str") or ""), bench.get("function_id") or "", median, thrpt))


def size_key(v):
    return int(v) if v.isdigit() else 0


rows.sort(key=lambda r: (r[0], size_key(r[1]), r[1], r[2]))
for g, v, fn, med, thrpt in rows:
    print(f"{g:16} {v:>10} {fn:34} {fmt_time(med)} {thrpt}")
