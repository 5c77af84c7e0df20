/**
 * a * b + c on four f32 lanes: the one place a kernel says "multiply-add".
 *
 * The module is compiled twice from the same source (scripts/build-wasm.mjs): the SIMD128 build,
 * where this is f32x4.mul then f32x4.add (two roundings: wasm's SIMD128 has no fused multiply-add),
 * and the relaxed-SIMD build (`--enable relaxed-simd`), where it is `f32x4.relaxed_madd`: one
 * instruction, which V8 lowers to a fused multiply-add (vfmadd231ps, one rounding) on a CPU with
 * FMA3 and to the same mul + add on one without. `ASC_FEATURE_RELAXED_SIMD` is a compile-time
 * constant, so each build has only its own branch.
 *
 * Numerics: relaxed_madd lets the engine choose fused or not, per machine; on one machine the
 * choice is fixed, so a kernel that computes each output by the same instructions on every thread
 * still gives 1 and N threads the same bits. Between the builds (and between machines with and
 * without FMA) results differ in the last bits: a fused product-sum skips the product's rounding,
 * so it is never further from the exact sum than the unfused one (the same error bound holds).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Whether this build fuses multiply-adds where the CPU can (1: the relaxed-SIMD build), for the JS side. */
export const KERNELS_RELAXED_SIMD: i32 = ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
