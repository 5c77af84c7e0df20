/**
 * f16 × f16 → f32 matmul on the GPU's matrix units (tensor cores), through Dawn's experimental
 * WGSL extension `chromium_experimental_subgroup_matrix`: a subgroup (32 invocations on NVIDIA)
 * loads 16 × 16 tiles of A and B as opaque subgroup matrices and multiplies them into a 16 × 16
 * f32 accumulator in one instruction (subgroupMatrixMultiplyAccumulate).
 *
 * Tiling: one workgroup is one subgroup (workgroup_size = the device's fixed subgroup size), and
 * computes a 32 × 32 block of C as 2 × 2 accumulators: per 16-deep step of K it loads two left
 * tiles (rows) and two right tiles (columns) straight from global memory and does four
 * multiply-accumulates, so each tile loaded feeds two products. No workgroup memory, no bounds:
 * M and N must be multiples of 32 and K of 16 (matmul-f16.webgpu.ts falls back to the tiled kernel
 * otherwise). Transposes are the loads' column-major flag (a stored [K, M] is A read column-major).
 *
 * Forms: this Dawn accepts subgroupMatrixLoad<T>(&array, offset, colMajor, stride) and
 * subgroupMatrixStore(&array, offset, value, colMajor, stride) (with a "deprecated builtin"
 * warning; the newer form with the column-major flag as a template argument is rejected).
 *
 * Runs only where the adapter has the feature (on an H100/H200 with the Dawn toggles
 * allow_unsafe_apis and vulkan_enable_f16_on_nvidia); lavapipe has no matrix units.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export const SUBGROUP_MATRIX_FEATURE = 'chromium-experimental-subgroup-matrix';
/** The block of C one workgroup computes. */
export const SUBGROUP_MATRIX_BLOCK = 32;
/** The tile of the hardware instruction (M = N = K = 16). */
export const SUBGROUP_MATRIX_TILE = 16;

/** The WGSL of the f16 matmul on subgroup matrices, for the given transposes and subgroup size. */
export function subgroupMatrixMatmulWgsl(v: { transA: boolean; transB: boolean; subgroupSize: number }): string {
  const T = SUBGROUP_MATRIX_TILE;
  // Left tile (rows r0.., k0..): A stored [M, K] row-major, or [K, M] read column-major.
  const aOff = (r: string) => (v.transA ? `k0 * p.M + ${r}` : `${r} * p.K + k0`);
  const bOff = (c: string) => (v.transB ? `${c} * p.K + k0` : `k0 * p.N + ${c}`);
  const aStride = v.transA ? 'p.M' : 'p.K';
  const bStride = v.transB ? 'p.K' : 'p.N';
  return /* wgsl */ `enable f16;
enable chromium_experimental_subgroup_matrix;
// matmul on subgroup matrices: f16 x f16 -> f32, ${SUBGROUP_MATRIX_BLOCK}x${SUBGROUP_MATRIX_BLOCK} per subgroup; transA=${v.transA} transB=${v.transB}
struct Params { M: u32, N: u32, K: u32, tilesN: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f16>;
@group(0) @binding(2) var<storage, read> b: array<f16>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

alias Left = subgroup_matrix_left<f16, ${T}, ${T}>;
alias Right = subgroup_matrix_right<f16, ${T}, ${T}>;
alias Acc = subgroup_matrix_result<f32, ${T}, ${T}>;

@compute @workgroup_size(${v.subgroupSize})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let block = wg.x + wg.y * nwg.x;
  let r0 = (block / p.tilesN) * ${SUBGROUP_MATRIX_BLOCK}u;
  let c0 = (block % p.tilesN) * ${SUBGROUP_MATRIX_BLOCK}u;
  if (r0 >= p.M) { return; }
  let r1 = r0 + ${T}u;
  let c1 = c0 + ${T}u;
  var acc00 = Acc();
  var acc01 = Acc();
  var acc10 = Acc();
  var acc11 = Acc();
  for (var k0 = 0u; k0 < p.K; k0 += ${T}u) {
    let a0 = subgroupMatrixLoad<Left>(&a, ${aOff('r0')}, ${v.transA}, ${aStride});
    let a1 = subgroupMatrixLoad<Left>(&a, ${aOff('r1')}, ${v.transA}, ${aStride});
    let b0 = subgroupMatrixLoad<Right>(&b, ${bOff('c0')}, ${v.transB}, ${bStride});
    let b1 = subgroupMatrixLoad<Right>(&b, ${bOff('c1')}, ${v.transB}, ${bStride});
    acc00 = subgroupMatrixMultiplyAccumulate(a0, b0, acc00);
    acc01 = subgroupMatrixMultiplyAccumulate(a0, b1, acc01);
    acc10 = subgroupMatrixMultiplyAccumulate(a1, b0, acc10);
    acc11 = subgroupMatrixMultiplyAccumulate(a1, b1, acc11);
  }
  subgroupMatrixStore(&c, r0 * p.N + c0, acc00, false, p.N);
  subgroupMatrixStore(&c, r0 * p.N + c1, acc01, false, p.N);
  subgroupMatrixStore(&c, r1 * p.N + c0, acc10, false, p.N);
  subgroupMatrixStore(&c, r1 * p.N + c1, acc11, false, p.N);
}
`;
}
