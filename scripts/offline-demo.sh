#!/usr/bin/env bash
# The main job on the offline default (no keys, no network): build the small offline world, research its held-out
# test questions with the expert demonstrator through the real tools (loopback HTTP server, Serper-compatible search
# over SQLite FTS5, fetcher, HTML extraction, extractive reader), score the run and write its HTML report.
# Usage: scripts/offline-demo.sh [OUT_DIR] [--noisy]   (default OUT_DIR: runs/offline-demo)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/runs/offline-demo}"
shift || true
cli="$root/deepresearcher"

if [ ! -f "$out/world/manifest.json" ]; then
  "$cli" world build --out "$out/world" --size small --seed 42
fi
"$cli" eval run --data "$out/world/questions/test.jsonl" --expert "$out/world" --out "$out/expert-test" --concurrency 8 "$@"
echo
echo "report: $out/expert-test/report.html"
