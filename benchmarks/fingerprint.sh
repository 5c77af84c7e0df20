#!/usr/bin/env bash
# Behaviour fingerprint (issue 23 point 6): fixed-seed short runs of each preset on cpu, wasm and
# webgpu, printed as every epoch's losses (full digits, timings dropped) and the sha256 of the
# checkpoint's tensors and of the sample grid. Run it before and after a refactor and diff the two
# files: a change of one bit in a kernel, an init stream or the order of updates shows up here.
#
#   bash benchmarks/fingerprint.sh > before.txt    (devices and presets: DEVICES=..., PRESETS=...)
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
devices=${DEVICES:-cpu wasm webgpu}
presets=${PRESETS:-quick paper conv}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for device in $devices; do
  for preset in $presets; do
    out="$work/$device-$preset"
    pnpm -s gan train --preset "$preset" --device "$device" --seed 1 --train-n 400 --val-n 100 \
      --batch 100 --epochs 2 --log-every 1 --out "$out" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
    echo "== $device $preset"
    node -e '
      for (const line of require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")) {
        const m = JSON.parse(line); delete m.seconds; delete m.msPerIteration; console.log(JSON.stringify(m));
      }' "$out/metrics.jsonl"
    (cd "$out" && sha256sum checkpoint-*.safetensors samples.png)
  done
done
