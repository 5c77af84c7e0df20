/**
 * Where `auto` gets its probe (above the op folders, which it uses, and beside the index): the workload it times (every trainer op once, then a matmul), and
 * `useDevice` / `getDevice` that pass it to @saddle/tensor's device choice. Tensor has no ops to
 * time, so nothing is installed on import: the probe is an argument (`getDevice('auto', { probe })`).
 */
import {
  fromArray,
  getDevice as getDeviceWith,
  tidy,
  useDevice as useDeviceWith,
  type AutoProbe,
  type Device,
  type DeviceOptions,
  type DeviceRequest,
  type Tensor,
} from '@saddle/tensor';
// Each op through its folder's public face (index.ts), as @saddle/ops exports it.
import { matmul } from './matmul/index.js';
import { maxout, maxoutBackward, maxoutDropout } from './maxout/index.js';
import { sigmoidBce, sigmoidBceGrad } from './bce/index.js';
import { rand, randn } from './random/index.js';
import { dropout } from './dropout/index.js';
import { sgdMomentumUpdateMany } from './optim/index.js';
import { add, sigmoid } from './elementwise/elementwise.js';
import { sum } from './reduce/index.js';

const N = 256;
const RUNS = 6;

/**
 * Runs every op family the GAN trainer uses once on tiny tensors, so a device that lacks one (a
 * wasm kernel not written yet) fails the probe instead of failing mid-training.
 */
function everyOpRuns(device: Device): void {
  tidy(() => {
    const x = fromArray([0.5, -1, 2, 0.25, 1, -2, 3, 0.5], [2, 4], { device });
    const w = rand([4, 4], { device, seed: 1 });
    const h = matmul(x, w, { transB: true, bias: randn([4], { device, seed: 2 }), activation: 'relu' });
    const m = maxout(h, 2);
    maxoutBackward(m.out, m.argmax, 2);
    maxoutDropout(h, 2, 0.5, { seed: 3 });
    const d = dropout(sigmoid(x), 0.8, { seed: 4 });
    sigmoidBce(d.out, 1);
    sigmoidBceGrad(d.out, 0);
    sum(add(h, 1), 0);
    const p: Tensor[] = [rand([4, 4], { device, seed: 5 })];
    sgdMomentumUpdateMany(p, [fromArray(new Float32Array(16), [4, 4], { device })], [fromArray(new Float32Array(16), [4, 4], { device })], {
      lr: 0.1,
      momentum: 0.5,
    });
  });
}

/**
 * The workload `useDevice('auto')` times on wasm and on a software WebGPU adapter to pick the
 * faster (a hardware GPU is taken without a probe): a 256x256x256 matmul, the op that dominates
 * training, once to warm up (pipeline compilation, first touch of memory), then RUNS times,
 * synchronised by reading the last result. Returns milliseconds per product. First every op the
 * trainer needs runs once: a device missing one throws here, and loses.
 */
export async function matmulProbe(device: Device): Promise<number> {
  everyOpRuns(device);
  const values = Float32Array.from({ length: N * N }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const a = fromArray(values, [N, N], { device });
  const b = fromArray(values, [N, N], { device });
  try {
    const warm = matmul(a, b);
    await warm.toArray();
    warm.dispose();
    const t0 = performance.now();
    let last: Tensor | null = null;
    for (let i = 0; i < RUNS; i++) {
      last?.dispose();
      last = matmul(a, b);
    }
    await last!.toArray();
    last!.dispose();
    return (performance.now() - t0) / RUNS;
  } finally {
    a.dispose();
    b.dispose();
  }
}

/** The probe `auto` runs here: {@link matmulProbe}, and what it runs, for the notice. */
export const matmulAutoProbe: AutoProbe = {
  run: matmulProbe,
  label: `every trainer op once, then matmul ${N}x${N}x${N} (ms per product, mean of ${RUNS})`,
};

/**
 * @saddle/tensor's `useDevice` with `auto`'s probe: picks the default device. `webgpu` creates a
 * GPUDevice (or wraps one you pass); `wasm` starts the WebAssembly SIMD device on
 * `options.threads` threads (default: every core); `auto` takes a hardware WebGPU adapter first,
 * else the faster of `wasm` and a software WebGPU adapter (lavapipe, SwiftShader) by
 * {@link matmulAutoProbe} (or `options.probe`), and says what it chose and why (`lastAutoChoice()`;
 * the host's notice: stderr in Node, console.warn in a page).
 */
export function useDevice(request: DeviceRequest = 'auto', options: DeviceOptions = {}): Promise<Device> {
  return useDeviceWith(request, { probe: matmulAutoProbe, ...options });
}

/** Resolves a device request without changing the default; `auto` is timed as in {@link useDevice}. */
export function getDevice(request: DeviceRequest, options: DeviceOptions = {}): Promise<Device> {
  return getDeviceWith(request, { probe: matmulAutoProbe, ...options });
}
