import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';
import { stridedIndexWgsl } from '../shared/strided.js';
import { ACTIVATION_WGSL } from '../shared/activation.wgsl.js';
import { POW_WGSL } from '../shared/pow.wgsl.js';

/**
 * Elementwise kernels: one thread per output element.
 *
 * Tiling: none; a flat 1-D launch (folded to 2-D past 65535 workgroups) of 256-thread workgroups.
 * Memory traffic: each thread reads one element of each input and writes one output element, so
 * the kernel moves (inputs + 1) * 4 bytes per element and is bound by memory bandwidth.
 * Bounds: threads past `n` return at once.
 * Inputs are read through strides and an offset, so transposed, sliced and broadcast views
 * (stride 0) need no copy first. When every input is dense and has the output's shape, the
 * `dense` variant skips the index arithmetic.
 * Numerics: f32 kernels include the shared activation math (ACTIVATION_WGSL), so relu, sigmoid,
 * tanh and softplus are the very functions the matmul epilogue and the BCE kernels use.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function unaryWgsl(expr: string, type: string, dense: boolean): string {
  return /* wgsl */ `
struct Params {
  n: u32, rank: u32, xOffset: u32, _pad: u32,
  shape: array<vec4<u32>, 2>,
  xStrides: array<vec4<u32>, 2>,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<${type}>;
@group(0) @binding(2) var<storage, read_write> out: array<${type}>;
${stridedIndexWgsl}
${type === 'f32' ? ACTIVATION_WGSL : ''}
fn op(x: ${type}) -> ${type} { return ${expr}; }

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.n) { return; }
  ${dense ? 'out[i] = op(xs[i]);' : 'out[i] = op(xs[stridedIndex(i, p.rank, p.shape, p.xStrides, p.xOffset)]);'}
}`;
}

/** The WGSL of a binary elementwise kernel computing `expr` on `type`, for dense or strided inputs. */
export function binaryWgsl(expr: string, type: string, dense: boolean): string {
  return /* wgsl */ `
struct Params {
  n: u32, rank: u32, aOffset: u32, bOffset: u32,
  shape: array<vec4<u32>, 2>,
  aStrides: array<vec4<u32>, 2>,
  bStrides: array<vec4<u32>, 2>,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> as_: array<${type}>;
@group(0) @binding(2) var<storage, read> bs: array<${type}>;
@group(0) @binding(3) var<storage, read_write> out: array<${type}>;
${stridedIndexWgsl}
${type === 'f32' ? `${ACTIVATION_WGSL}${POW_WGSL}` : ''}
fn op(x: ${type}, y: ${type}) -> ${type} { return ${expr}; }

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.n) { return; }
  ${
    dense
      ? 'out[i] = op(as_[i], bs[i]);'
      : `let ai = stridedIndex(i, p.rank, p.shape, p.aStrides, p.aOffset);
  let bi = stridedIndex(i, p.rank, p.shape, p.bStrides, p.bOffset);
  out[i] = op(as_[ai], bs[bi]);`
  }
}`;
}

/** The op's expression for `type`: integer dtypes take `wgslInt` if given, with float literals respelled. */
export function exprFor(op: { wgsl: string; wgslInt?: string }, type: string): string {
  if (type === 'f32') return op.wgsl;
  const cast = type === 'i32' ? 'i32' : 'u32';
  return (op.wgslInt ?? op.wgsl).replace(/(\d+)\.0\b/g, `${cast}($1)`);
}
