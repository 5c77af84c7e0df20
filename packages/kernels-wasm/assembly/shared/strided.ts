/**
 * Strided views, the wasm way. A kernel that reads views gets, besides the byte pointer of each
 * operand's first element (the view's offset already added), a pointer `dims` to an i32 array
 * written by the JS launcher: the shape (rank entries), then each operand's strides in elements
 * (rank entries each; 0 on a broadcast dim). The launcher first merges adjacent dims that every
 * operand walks contiguously, so a dense tensor arrives as rank 1 with stride 1.
 *
 * Kernels walk their flat range of output elements row by row (a row = the last dim): the element
 * offset of a row's start is computed once per row (rowOffset, rank-1 divisions), and the row
 * itself is a run of `len` elements with one stride per operand. A run whose strides are 1 (dense)
 * or 0 (broadcast scalar) takes the f32x4 path; any other stride takes a scalar loop.
 */

/** i32 entry `i` of the dims array. */
@inline
export function dim(dims: usize, i: i32): i32 {
  return load<i32>(dims + (<usize>i << 2));
}

/**
 * Element offset of the first element of row `row` (the rows are the shape without its last dim)
 * of an operand whose strides start at entry `strideAt` of dims.
 */
@inline
export function rowOffset(row: i32, rank: i32, dims: usize, strideAt: i32): i32 {
  let rem = row;
  let off = 0;
  for (let d = rank - 2; d >= 0; d--) {
    const size = dim(dims, d);
    off += (rem % size) * dim(dims, strideAt + d);
    rem /= size;
  }
  return off;
}

/** Byte pointer of element `i` (elements of 4 bytes) from base `p`. */
@inline
export function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/**
 * Four f32/i32 at p, p + step, p + 2 step, p + 3 step (bytes) into the lanes of one v128: one load
 * when they are adjacent (step 4), else four `load32_lane` (maxout's pieces, pooling's strided taps).
 */
@inline
export function gather4(p: usize, step: usize): v128 {
  if (step == 4) return v128.load(p);
  let v = i32x4.splat(0);
  v = v128.load32_lane(p, v, 0);
  v = v128.load32_lane(p + step, v, 1);
  v = v128.load32_lane(p + 2 * step, v, 2);
  return v128.load32_lane(p + 3 * step, v, 3);
}

/**
 * Element offset of flat index `idx` of a row-major walk over `rank` dims whose sizes start at
 * entry `shapeAt` of dims and strides at entry `strideAt`.
 */
@inline
export function unravelOffset(idx: i32, rank: i32, dims: usize, shapeAt: i32, strideAt: i32): i32 {
  let rem = idx;
  let off = 0;
  for (let d = rank - 1; d >= 0; d--) {
    const size = dim(dims, shapeAt + d);
    off += (rem % size) * dim(dims, strideAt + d);
    rem /= size;
  }
  return off;
}

/**
 * Four f32 lanes at byte stride `stride` from `p`: one 16-byte load when the stride is 4 (contiguous),
 * else gathered lane by lane (a transposed or middle-axis walk).
 */
@inline
export function loadLanes(p: usize, stride: usize): v128 {
  if (stride == 4) return v128.load(p);
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + stride));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * stride));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * stride));
}
