#!/usr/bin/env bash
# The GPU host's one prepared command (issue 14; docs/performance.md, "On a real GPU"): from the
# repository root, with the bundle built into .gpu/ (pnpm --filter @saddle/benchmarks gpu-bundle),
#   OUT=/some/dir bash benchmarks/gpu-run.sh [--minutes 7.5] [--rehearse] [more options of `all`]
# runs `node .gpu/app.mjs all` under a hard timeout of the budget plus 45 s, with its stdout and
# stderr in $OUT/run.log, and prints the log's tail (the device tool returns the last 12 000 chars).
# Set GPU_RUN_NODE="pnpm exec tsx --tsconfig tsconfig.json benchmarks/src/gpu-entry.ts" to run the
# same entry from the sources instead of the bundle (no enter.sh then).
set -uo pipefail
: "${OUT:?set OUT to the output folder}"
mkdir -p "$OUT"
minutes=7.5
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[$i]}" = "--minutes" ]; then minutes=${args[$((i + 1))]}; fi
done
limit=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 + 45 }')
if [ -z "${GPU_RUN_NODE:-}" ]; then
  [ -f .gpu/enter.sh ] || { echo "gpu-run: no .gpu/enter.sh; build the bundle first (pnpm --filter @saddle/benchmarks gpu-bundle)" >&2; exit 2; }
  # shellcheck disable=SC1091
  source .gpu/enter.sh
  cmd=(node .gpu/app.mjs)
else
  read -r -a cmd <<< "$GPU_RUN_NODE"
fi
echo "gpu-run: ${cmd[*]} all --out $OUT ${args[*]} (timeout ${limit} s); $(date -u +%FT%TZ)" > "$OUT/run.log"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >> "$OUT/run.log" 2>&1 || true
timeout -k 10 "$limit" "${cmd[@]}" all --out "$OUT" "${args[@]}" >> "$OUT/run.log" 2>&1
rc=$?
echo "gpu-run: exit $rc at $(date -u +%FT%TZ)" >> "$OUT/run.log"
tail -c 11000 "$OUT/run.log"
ls -la "$OUT"
exit $rc
