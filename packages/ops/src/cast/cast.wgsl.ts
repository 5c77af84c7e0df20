import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';
import { IS_NAN_WGSL } from '../shared/activation.wgsl.js';

/** The dtypes a WebGPU buffer holds (f64 is the CPU's only). */
export type GpuDType = 'f32' | 'i32' | 'u32';

/**
 * One element converted, in WGSL, by the rule of cast.cpu.ts's castValue. Float to integer is
 * spelled out rather than left to WGSL's conversion, whose result for NaN is not specified: the
 * value is clamped to the last f32 the integer type holds (2^31 - 128, 2^32 - 256) before the
 * truncating conversion, a value at or past 2^31 (2^32) selects the integer maximum, and NaN
 * selects 0. Integer to integer is a bitcast (the same 32 bits); integer to f32 rounds to nearest.
 */
export function castExpr(from: GpuDType, to: GpuDType): string {
  if (from === to) return 'x';
  if (to === 'f32') return 'f32(x)';
  if (from !== 'f32') return `bitcast<${to}>(x)`;
  return to === 'i32'
    ? 'select(select(i32(clamp(x, -2147483648.0, 2147483520.0)), 2147483647, x >= 2147483648.0), 0, isNan(x))'
    : 'select(select(u32(clamp(x, 0.0, 4294967040.0)), 4294967295u, x >= 4294967296.0), 0u, isNan(x))';
}

/**
 * cast: out[i] = convert(x[i]) from one dtype to another.
 *
 * Tiling: none; one thread per element over a dense input (the op copies a view first), a flat
 * 1-D launch of 256-thread workgroups. Memory traffic: 4 bytes read and 4 written per element.
 * Bounds: threads past `n` return at once.
 * Numerics: exact where the target holds the value; otherwise the rule of castExpr above, the
 * same as the CPU twin's and the wasm kernel's (whose trunc_sat instructions are that rule).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function castWgsl(from: GpuDType, to: GpuDType): string {
  return /* wgsl */ `
struct Params { n: u32, _a: u32, _b: u32, _c: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<${from}>;
@group(0) @binding(2) var<storage, read_write> out: array<${to}>;
${from === 'f32' ? IS_NAN_WGSL : ''}
fn convert(x: ${from}) -> ${to} { return ${castExpr(from, to)}; }

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.n) { return; }
  out[i] = convert(xs[i]);
}`;
}
