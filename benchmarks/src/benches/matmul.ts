/**
 * matmul: saddle's `matmul(a, b, { transA, transB, bias, activation })` against tfjs's
 * `tf.matMul(a, b, transposeA, transposeB)` (or `tf.fused.matMul` when a case has a bias or an
 * activation), same inputs, f32, inputs resident on the runner's device before timing.
 *
 * Cases: square M = K = N (256 … 4096, and 8192 on a hardware GPU), and the GAN's shapes: the
 * generator's and discriminator's fully connected layers at batch 100, forward and the two backward
 * products (dX = dY·Wᵀ with transB, dW = Xᵀ·dY with transA), plus one fused bias + ReLU forward.
 */
import { fromArray, type Tensor } from '@saddle/tensor';
import { matmul, profileWasmMatmul, type Activation } from '@saddle/ops';
import type { Bench, BenchCase, Instance, SaddleCtx, TfCtx, TorchCtx } from '../harness.js';
import { BENCH_RATIOS, f32Base64 } from './common.js';

export interface MatmulShape {
  m: number;
  k: number;
  n: number;
  transA?: boolean;
  transB?: boolean;
  bias?: boolean;
  activation?: Activation;
  label?: string;
  group: 'square' | 'gan';
}

export const SQUARE_SIZES = [256, 512, 1024, 2048, 4096];
export const SQUARE_SIZES_GPU = [...SQUARE_SIZES, 8192];

/**
 * The GAN's products at batch 100. The paper's MNIST nets: generator 100 → 1200 (ReLU) → 1200 (ReLU)
 * → 784 (sigmoid); discriminator 784 → 240×5 (maxout) → 240×5 (maxout) → 1. A layer [in → out]
 * multiplies [100, in]·[in, out] forward; backward it needs dX = dY·Wᵀ ([100, out]·[in, out]ᵀ,
 * transB) and dW = Xᵀ·dY ([100, in]ᵀ·[100, out], transA, K = 100).
 */
export const GAN_SHAPES: MatmulShape[] = [
  { group: 'gan', m: 100, k: 100, n: 1200, label: 'gan fwd 100x100x1200' },
  { group: 'gan', m: 100, k: 784, n: 1200, label: 'gan fwd 100x784x1200' },
  { group: 'gan', m: 100, k: 1200, n: 1200, label: 'gan fwd 100x1200x1200' },
  { group: 'gan', m: 100, k: 1200, n: 784, label: 'gan fwd 100x1200x784' },
  { group: 'gan', m: 100, k: 240, n: 1200, label: 'gan fwd 100x240x1200' },
  { group: 'gan', m: 100, k: 784, n: 1200, bias: true, activation: 'relu', label: 'gan fwd 100x784x1200 +bias+relu' },
  { group: 'gan', m: 100, k: 1200, n: 784, transB: true, label: 'gan dX 100x1200x784 (Bᵀ)' },
  { group: 'gan', m: 100, k: 1200, n: 1200, transB: true, label: 'gan dX 100x1200x1200 (Bᵀ)' },
  { group: 'gan', m: 784, k: 100, n: 1200, transA: true, label: 'gan dW 784x100x1200 (Aᵀ)' },
  { group: 'gan', m: 1200, k: 100, n: 1200, transA: true, label: 'gan dW 1200x100x1200 (Aᵀ)' },
];

/** Deterministic uniform values in [-1, 1) (mulberry32), so every runner multiplies the same matrices. */
export function uniformData(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export function shapeLabel(s: MatmulShape): string {
  return s.label ?? `${s.m}x${s.k}x${s.n}`;
}

export function matmulCase(s: MatmulShape): BenchCase {
  const { m, k, n } = s;
  const transA = Boolean(s.transA);
  const transB = Boolean(s.transB);
  const activation = s.activation ?? 'none';
  const aShape = transA ? [k, m] : [m, k];
  const bShape = transB ? [n, k] : [k, n];
  // Data is made lazily (8192² floats are 256 MiB) and shared by the runners of this case.
  let data: { a: Float32Array; b: Float32Array; bias: Float32Array | null } | null = null;
  const getData = () =>
    (data ??= {
      a: uniformData(m * k, 1 + m * 7 + k),
      b: uniformData(k * n, 2 + k * 13 + n),
      bias: s.bias ? uniformData(n, 3 + n) : null,
    });
  const c: BenchCase = {
    label: shapeLabel(s),
    params: { group: s.group, m, k, n, transA, transB, bias: Boolean(s.bias), activation },
    flops: 2 * m * n * k,
    // f32 accumulation order differs between kernels; errors grow about like sqrt(K)·eps·|a||b|.
    tolerance: 1e-5 * Math.max(16, Math.sqrt(k) * 4),
    saddle: ({ device }: SaddleCtx): Instance => {
      const d = getData();
      const a = fromArray(d.a, aShape, { device });
      const b = fromArray(d.b, bShape, { device });
      const bias = d.bias ? fromArray(d.bias, [n], { device }) : undefined;
      const opts = { transA, transB, bias, activation };
      const once = (): Tensor => matmul(a, b, opts);
      return {
        run: () => once().dispose(),
        // On wasm, where the time goes: whole calls against calls on panels already packed.
        profile:
          device.kind === 'wasm'
            ? () => {
                const { totalMs, tilesMs } = profileWasmMatmul(a, b, { transA, transB });
                return { totalMs, tilesMs, packShare: Math.max(0, totalMs - tilesMs) / totalMs, tilesGflops: (2 * m * n * k) / tilesMs / 1e6 };
              }
            : undefined,
        output: async () => {
          const y = once();
          const v = await y.toArray();
          y.dispose();
          return Float32Array.from(v as ArrayLike<number>);
        },
        dispose: () => {
          a.dispose();
          b.dispose();
          bias?.dispose();
        },
      };
    },
    tfjs: ({ tf }: TfCtx): Instance => {
      const d = getData();
      const a = tf.tensor(d.a, aShape, 'float32');
      const b = tf.tensor(d.b, bShape, 'float32');
      const bias = d.bias ? tf.tensor(d.bias, [n], 'float32') : undefined;
      const fused = bias !== undefined || activation !== 'none';
      const once = () =>
        fused
          ? tf.fused.matMul({ a, b, transposeA: transA, transposeB: transB, bias, activation: activation === 'none' ? 'linear' : activation })
          : tf.matMul(a, b, transA, transB);
      return {
        run: () => once().dispose(),
        output: async () => {
          const y = once();
          const v = (await y.data()) as Float32Array;
          y.dispose();
          return v;
        },
        dispose: () => {
          a.dispose();
          b.dispose();
          bias?.dispose();
        },
      };
    },
    // PyTorch: torch.mm / torch.addmm (+ relu_ / sigmoid_) on the same stored operands, transposed views for transA / transB.
    torch: ({ instance }: TorchCtx): Instance => {
      const d = getData();
      return instance({
        kind: 'matmul',
        aShape,
        bShape,
        transA,
        transB,
        activation,
        a: f32Base64(d.a),
        b: f32Base64(d.b),
        bias: d.bias ? f32Base64(d.bias) : null,
      });
    },
  };
  return c;
}

export interface MatmulBenchOptions {
  /** Square sizes; default SQUARE_SIZES (and 8192 on a hardware GPU). */
  sizes?: number[];
  /** Include the GAN's shapes (default true). */
  gan?: boolean;
  /** Whether the adapter is a hardware GPU (adds 8192 to the default sizes). */
  hardwareGpu?: boolean;
}

export function matmulBench(opts: MatmulBenchOptions = {}): Bench {
  const sizes = opts.sizes ?? (opts.hardwareGpu ? SQUARE_SIZES_GPU : SQUARE_SIZES);
  const shapes: MatmulShape[] = [...sizes.map((x): MatmulShape => ({ group: 'square', m: x, k: x, n: x })), ...(opts.gan === false ? [] : GAN_SHAPES)];
  return {
    name: 'matmul',
    title: 'matmul: C = A·B (f32)',
    description:
      "saddle's tiled WGSL matmul (webgpu) and its WebAssembly SIMD matmul (wasm device: every core, and one thread; relaxed-SIMD and SIMD128 builds) against tfjs-core's matMul " +
      '(webgpu backend on the same GPUDevice; wasm (XNNPACK, one thread in Node) and cpu backends on the CPU) and PyTorch on the CPU (torch.mm / addmm). ' +
      "Square sizes M = K = N, and the GAN's fully connected products at batch 100 (forward, dX with Bᵀ, dW with Aᵀ). FLOPs = 2·M·N·K.",
    ratios: BENCH_RATIOS,
    cases: shapes.map(matmulCase),
  };
}
