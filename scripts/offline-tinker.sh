#!/usr/bin/env bash
# The offline main job through the Tinker API end to end: write the model a from-scratch run starts from, serve it
# with `deepresearcher serve training` on loopback, and train it from another process with `--backend tinker`
# (rollouts sample through asample, SFT and GRPO are forward_backward + optim_step over HTTP). The figures are the
# in-process run's (docs/training.md says why the weights may differ by a few learning-rate steps after GRPO).
# Usage: scripts/offline-tinker.sh [OUT_DIR] [train options…]   (default OUT_DIR: runs/offline-tiny-tinker)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/runs/offline-tiny-tinker}"
shift || true
cli="$root/deepresearcher"
port="${TINKER_PORT:-8100}"

"$cli" train --initial-model-only --out "$out/init"
"$cli" serve training --base-model "offline-tiny=$out/init/initial-model" --state-dir "$out/tinker-state" --port "$port" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/api/v1/healthz" > /dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then echo "serve training exited; see its output above" >&2; exit 1; fi
  sleep 0.5
done
"$cli" train --backend tinker --tinker-url "http://127.0.0.1:$port" --tinker-base-model offline-tiny \
  --tinker-tokenizer "$out/init/initial-model/tokenizer.json" --out "$out/run" "$@"
