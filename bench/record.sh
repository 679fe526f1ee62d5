#!/usr/bin/env bash
# Run one benchmark and save its full stdout (and stderr) to results/bench/<name>.txt with a header line:
#   bench/record.sh NAME python bench/SCRIPT.py [ARGS...]
# Header: the exact command, the date, the commit, uptime (machine load) at start; uptime again at the end.
# Paths under the repository are written repo-relative.
set -uo pipefail
name=$1; shift
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/results/bench/$name.txt"
mkdir -p "$(dirname "$out")"
{
  cmd="$*"
  echo "# command: ${cmd//$root\//}  |  date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  |  commit: $(git -C "$root" rev-parse --short HEAD)  |  uptime: $(uptime)"
  start=$(date +%s)
  "$@" 2>&1 | sed "s|$root/||g"  # repo-relative paths: no machine's paths in committed outputs
  rc=${PIPESTATUS[0]}
  echo "# exit: $rc  |  wall: $(( $(date +%s) - start )) s  |  uptime at end: $(uptime)"
} > "$out"
