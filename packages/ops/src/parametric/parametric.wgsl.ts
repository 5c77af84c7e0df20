import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';
import { IS_NAN_WGSL } from '../shared/activation.wgsl.js';

/**
 * Elementwise ops with scalar parameters: clamp(x, lo, hi) and leakyRelu(x, alpha). The
 * parameters travel in the uniform buffer (p.a, p.b), so every value of them shares one compiled
 * pipeline; the elementwise table's ops have no parameters and bake their constants in.
 *
 * Tiling: none; one thread per element over a dense input (the op copies a view first), a flat
 * 1-D launch of 256-thread workgroups. Memory traffic: 4 bytes read and 4 written per element.
 * Bounds: threads past `n` return at once.
 * Numerics: both are exact (a select or a min/max, and one multiply for the negative slope). NaN
 * propagates, as on the CPU (Math.min/Math.max) and wasm: clamp tests the bits of x.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export const PARAMETRIC_OPS = {
  // NaN stays NaN (WGSL's clamp, min and max may drop it: lavapipe gives clamp(NaN, -1, 1) = -1).
  clamp: 'select(min(max(x, p.a), p.b), x, isNan(x))',
  leakyRelu: 'select(p.a * x, x, x > 0.0)',
} as const;

/** The name of a parametric elementwise op. */
export type ParametricOpName = keyof typeof PARAMETRIC_OPS;

/** The WGSL of the parametric elementwise op `name` (two scalar parameters). */
export function parametricWgsl(name: ParametricOpName): string {
  return /* wgsl */ `
struct Params { n: u32, a: f32, b: f32, _pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${IS_NAN_WGSL}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.n) { return; }
  let x = xs[i];
  out[i] = ${PARAMETRIC_OPS[name]};
}`;
}
