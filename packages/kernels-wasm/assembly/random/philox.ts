/**
 * Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011) for the wasm kernels: four counter blocks at once in SIMD, and one block in scalar code
 * for the tails. Shared by the random draws (random.ts) and the dropout kernels (../dropout). See
 * random.ts for the SIMD scheme (extmul for the 32x32 -> 64-bit products, SoA lanes, transposes).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
const M0: u32 = 0xd2511f53;
const M1: u32 = 0xcd9e8d57;
const W0: u32 = 0x9e3779b9;
const W1: u32 = 0xbb67ae85;
// ---- Philox, four blocks in SIMD ----

// The four vectors of a group of blocks, between the steps below. Module globals are per instance,
// and every thread has its own instance of the module, so these are thread-private registers
// (the kernels must not allocate: there is no allocator in the module).
export let R0: v128 = i32x4(0, 0, 0, 0);
export let R1: v128 = i32x4(0, 0, 0, 0);
export let R2: v128 = i32x4(0, 0, 0, 0);
export let R3: v128 = i32x4(0, 0, 0, 0);

/** High 32 bits of the u64 products of the lanes of a and b: two extmuls and a shuffle. */
@inline
export function mulhiV(a: v128, b: v128): v128 {
  const lo = i64x2.extmul_low_i32x4_u(a, b);
  const hi = i64x2.extmul_high_i32x4_u(a, b);
  return i32x4.shuffle(lo, hi, 1, 3, 5, 7);
}

/**
 * Philox4x32-10 of four blocks in SoA form (c0..c3 hold word j of the four blocks); the result is
 * left in R0..R3, still SoA. Key words k0, k1 are the same for every block.
 */
@inline
export function philoxV(c0: v128, c1: v128, c2: v128, c3: v128, k0: u32, k1: u32): void {
  const m0 = i32x4.splat(M0);
  const m1 = i32x4.splat(M1);
  for (let r = 0; r < 10; r++) {
    if (r > 0) {
      k0 += W0;
      k1 += W1;
    }
    const hi0 = mulhiV(m0, c0);
    const lo0 = i32x4.mul(m0, c0);
    const hi1 = mulhiV(m1, c2);
    const lo1 = i32x4.mul(m1, c2);
    c0 = v128.xor(v128.xor(hi1, c1), i32x4.splat(k0));
    c1 = lo1;
    c2 = v128.xor(v128.xor(hi0, c3), i32x4.splat(k1));
    c3 = lo0;
  }
  R0 = c0;
  R1 = c1;
  R2 = c2;
  R3 = c3;
}

/** Transposes R0..R3 (4x4 words) in place: SoA (word j of blocks 0..3) <-> AoS (block b's words 0..3). */
@inline
export function transpose4(): void {
  const a = R0, b = R1, d = R2, e = R3;
  const ab01 = i32x4.shuffle(a, b, 0, 4, 1, 5); // a0 b0 a1 b1
  const ab23 = i32x4.shuffle(a, b, 2, 6, 3, 7); // a2 b2 a3 b3
  const de01 = i32x4.shuffle(d, e, 0, 4, 1, 5);
  const de23 = i32x4.shuffle(d, e, 2, 6, 3, 7);
  R0 = i32x4.shuffle(ab01, de01, 0, 1, 4, 5); // a0 b0 d0 e0
  R1 = i32x4.shuffle(ab01, de01, 2, 3, 6, 7);
  R2 = i32x4.shuffle(ab23, de23, 0, 1, 4, 5);
  R3 = i32x4.shuffle(ab23, de23, 2, 3, 6, 7);
}

/**
 * The words of draw blocks b .. b+3 (offset (offLo, offHi) added with carry), in element order:
 * R0 holds the 4 words of block b, R1 of block b + 1, and so on.
 */
@inline
export function drawBlocksV(b: u32, offLo: u32, offHi: u32, k0: u32, k1: u32): void {
  const base = i32x4.splat(offLo);
  const lo = i32x4.add(base, i32x4.add(i32x4.splat(b), i32x4(0, 1, 2, 3)));
  // carry where the low word wrapped: lt_u is all ones (-1) there, so subtracting it adds 1.
  const hi = i32x4.sub(i32x4.splat(offHi), i32x4.lt_u(lo, base));
  philoxV(lo, hi, i32x4.splat(0), i32x4.splat(0), k0, k1);
  transpose4();
}

// ---- Philox, one block in scalar code (the tails) ----

/** Philox4x32-10 of one block; its four words as an i32x4 (element order). */
@inline
export function philoxS(x0: u32, x1: u32, x2: u32, x3: u32, k0: u32, k1: u32): v128 {
  for (let r = 0; r < 10; r++) {
    if (r > 0) {
      k0 += W0;
      k1 += W1;
    }
    const p0 = <u64>M0 * <u64>x0;
    const p1 = <u64>M1 * <u64>x2;
    const y0 = <u32>(p1 >> 32) ^ x1 ^ k0;
    const y2 = <u32>(p0 >> 32) ^ x3 ^ k1;
    x1 = <u32>p1;
    x3 = <u32>p0;
    x0 = y0;
    x2 = y2;
  }
  return i32x4(x0, x1, x2, x3);
}

/** The words of draw block b (counter offset + b with carry). */
@inline
export function drawBlockS(b: u32, offLo: u32, offHi: u32, k0: u32, k1: u32): v128 {
  const lo = offLo + b;
  return philoxS(lo, offHi + (lo < offLo ? 1 : 0), 0, 0, k0, k1);
}

