/**
 * Elementwise kernels: out[i] = f(x[i]) and out[i] = f(a[i], b[i]) with NumPy broadcasting, on
 * f32, i32 and u32 (the twin of packages/ops/src/elementwise).
 *
 * Blocking: none is needed. Each element is read once and written once, so the kernel moves
 * (inputs + 1) * 4 bytes per element and is bound by memory bandwidth, not arithmetic. What
 * matters is to stream: 16 bytes per load and store, and no index arithmetic per element.
 *
 * SIMD layout: four consecutive elements of a row share one v128 (f32x4 or i32x4). A row run
 * (see shared/strided.ts) whose operands all have stride 1 loads, computes and stores four
 * elements at a time; an operand with stride 0 (a broadcast scalar along the row, e.g. `x * 2`
 * or a bias along the columns) is splatted into all four lanes once per run. The last len % 4
 * elements of a run, and runs with any other stride (a transposed view), take the scalar loop.
 * exp, log, sigmoid, tanh, softplus, log1p, expm1 and logSigmoid are computed on four lanes at once (shared/math.ts:
 * Cephes' range reductions and minimax polynomials, about 1 ulp; log1p, expm1 and logSigmoid as
 * series for small arguments, about 2); their scalar tails run the same
 * vector code on a splatted value, so an element's bits never depend on where a thread's share
 * began. pow calls AssemblyScript's Mathf.pow lane by lane.
 *
 * Threads: the flat range of output elements is cut into nthreads near-equal ranges aligned to 16
 * elements (shared/threads.ts); each thread walks its range row by row. Every element is computed
 * by the same instructions whatever the thread count, so 1 and N threads agree bit for bit.
 *
 * Bounds: a thread touches only out[start, end) of its range and the input elements those map to;
 * the launcher checks shapes, ranks (<= 8) and dtypes before the call.
 *
 * Op codes: the `op` argument selects the function; the JS launcher (@saddle/ops's
 * elementwise.ts, WASM_UNARY_CODES / WASM_BINARY_CODES) holds the same table. Each case inlines
 * the whole walker with a constant op, so the switch is resolved once per call, not per element.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { at, dim, rowOffset } from '../shared/strided';
import { expm1V, expV, lane0, log1pV, logSigmoidV, logV, sigmoidV, softplusV, tanhV } from '../shared/math';

// Unary op codes (keep in step with WASM_UNARY_CODES).
const COPY = 0, NEG = 1, ABS = 2, SIGN = 3, SQUARE = 4, EXP = 5, LOG = 6, SQRT = 7, RECIPROCAL = 8;
const RELU = 9, STEP = 10, SIGMOID = 11, TANH = 12, SOFTPLUS = 13, LOG1P = 14, EXPM1 = 15, LOG_SIGMOID = 16, LOGICAL_NOT = 17;
// Binary op codes (keep in step with WASM_BINARY_CODES).
const ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAXIMUM = 4, MINIMUM = 5, POW = 6, GREATER = 7, GREATER_EQUAL = 8, EQUAL = 9;
const LESS = 10, LESS_EQUAL = 11, NOT_EQUAL = 12, LOGICAL_AND = 13, LOGICAL_OR = 14;

// ---- the functions, scalar (one element) and vector (four lanes) ----

@inline
function unaryS<T>(op: i32, x: T): T {
  if (isFloat<T>()) {
    const v = <f32>x;
    switch (op) {
      case COPY: return x;
      case NEG: return <T>(-v);
      case ABS: return <T>Mathf.abs(v);
      case SIGN: return <T>(v > 0 ? <f32>1 : v < 0 ? <f32>-1 : v);
      case SQUARE: return <T>(v * v);
      case EXP: return <T>lane0(expV(f32x4.splat(v)));
      case LOG: return <T>lane0(logV(f32x4.splat(v)));
      case SQRT: return <T>Mathf.sqrt(v);
      case RECIPROCAL: return <T>(1 / v);
      case RELU: return <T>(v > 0 || v != v ? v : 0); // NaN kept, as PyTorch
      case STEP: return <T>(v > 0 ? <f32>1 : <f32>0);
      case SIGMOID: return <T>lane0(sigmoidV(f32x4.splat(v)));
      case TANH: return <T>lane0(tanhV(f32x4.splat(v)));
      case SOFTPLUS: return <T>lane0(softplusV(f32x4.splat(v)));
      case LOG1P: return <T>lane0(log1pV(f32x4.splat(v)));
      case EXPM1: return <T>lane0(expm1V(f32x4.splat(v)));
      case LOG_SIGMOID: return <T>lane0(logSigmoidV(f32x4.splat(v)));
      case LOGICAL_NOT: return <T>(v == 0 ? <f32>1 : <f32>0); // NaN is true, so its not is 0
    }
  } else {
    switch (op) {
      case COPY: return x;
      case NEG: return <T>(0 - x);
      case ABS: return isSigned<T>() ? <T>(x < 0 ? 0 - x : x) : x;
      case SIGN: return isSigned<T>() ? <T>(x > 0 ? 1 : x < 0 ? -1 : 0) : <T>(x != 0 ? 1 : 0);
      case SQUARE: return <T>(x * x);
      case LOGICAL_NOT: return <T>(x == 0 ? 1 : 0);
    }
  }
  return x;
}

@inline
function unaryV<T>(op: i32, x: v128): v128 {
  if (isFloat<T>()) {
    const zero = f32x4.splat(0);
    const one = f32x4.splat(1);
    switch (op) {
      case COPY: return x;
      case NEG: return f32x4.neg(x);
      case ABS: return f32x4.abs(x);
      case SIGN: {
        // +1 where x > 0, -1 where x < 0, and x itself where x is +-0 or NaN (as Math.sign).
        const s = f32x4.sub(v128.and(f32x4.gt(x, zero), one), v128.and(f32x4.lt(x, zero), one));
        return v128.bitselect(x, s, v128.or(f32x4.eq(x, zero), f32x4.ne(x, x)));
      }
      case SQUARE: return f32x4.mul(x, x);
      case SQRT: return f32x4.sqrt(x);
      case RECIPROCAL: return f32x4.div(one, x);
      // x > 0 || x is NaN ? x : 0 as a mask: NaN kept (as PyTorch), -0 gives +0, as the scalar twin does.
      case RELU: return v128.and(x, v128.or(f32x4.gt(x, zero), f32x4.ne(x, x)));
      case STEP: return v128.and(f32x4.gt(x, zero), one);
      case EXP: return expV(x);
      case SIGMOID: return sigmoidV(x);
      case TANH: return tanhV(x);
      case LOG: return logV(x);
      case SOFTPLUS: return softplusV(x);
      case LOG1P: return log1pV(x);
      case EXPM1: return expm1V(x);
      case LOG_SIGMOID: return logSigmoidV(x);
      case LOGICAL_NOT: return v128.and(f32x4.eq(x, zero), one);
    }
  } else {
    const zero = i32x4.splat(0);
    switch (op) {
      case COPY: return x;
      case NEG: return i32x4.neg(x);
      case ABS: return isSigned<T>() ? i32x4.abs(x) : x;
      case SIGN:
        return isSigned<T>()
          ? i32x4.sub(i32x4.lt_s(x, zero), i32x4.gt_s(x, zero))
          : v128.and(i32x4.ne(x, zero), i32x4.splat(1));
      case SQUARE: return i32x4.mul(x, x);
      case LOGICAL_NOT: return v128.and(i32x4.eq(x, zero), i32x4.splat(1));
    }
  }
  return x;
}

@inline
function binaryS<T>(op: i32, x: T, y: T): T {
  if (isFloat<T>()) {
    const a = <f32>x;
    const b = <f32>y;
    switch (op) {
      case ADD: return <T>(a + b);
      case SUB: return <T>(a - b);
      case MUL: return <T>(a * b);
      case DIV: return <T>(a / b);
      case MAXIMUM: return <T>max(a, b);
      case MINIMUM: return <T>min(a, b);
      case POW: return <T>Mathf.pow(a, b);
      case GREATER: return <T>(a > b ? <f32>1 : <f32>0);
      case GREATER_EQUAL: return <T>(a >= b ? <f32>1 : <f32>0);
      case EQUAL: return <T>(a == b ? <f32>1 : <f32>0);
      case LESS: return <T>(a < b ? <f32>1 : <f32>0);
      case LESS_EQUAL: return <T>(a <= b ? <f32>1 : <f32>0);
      case NOT_EQUAL: return <T>(a != b ? <f32>1 : <f32>0); // NaN != anything, as IEEE
      case LOGICAL_AND: return <T>(a != 0 && b != 0 ? <f32>1 : <f32>0); // NaN is true
      case LOGICAL_OR: return <T>(a != 0 || b != 0 ? <f32>1 : <f32>0);
    }
  } else {
    switch (op) {
      case ADD: return <T>(x + y);
      case SUB: return <T>(x - y);
      case MUL: return <T>(x * y);
      case MAXIMUM: return x > y ? x : y;
      case MINIMUM: return x < y ? x : y;
      case GREATER: return <T>(x > y ? 1 : 0);
      case GREATER_EQUAL: return <T>(x >= y ? 1 : 0);
      case EQUAL: return <T>(x == y ? 1 : 0);
      case LESS: return <T>(x < y ? 1 : 0);
      case LESS_EQUAL: return <T>(x <= y ? 1 : 0);
      case NOT_EQUAL: return <T>(x != y ? 1 : 0);
      case LOGICAL_AND: return <T>(x != 0 && y != 0 ? 1 : 0);
      case LOGICAL_OR: return <T>(x != 0 || y != 0 ? 1 : 0);
    }
  }
  return x;
}

@inline
function binaryV<T>(op: i32, x: v128, y: v128): v128 {
  if (isFloat<T>()) {
    const one = f32x4.splat(1);
    switch (op) {
      case ADD: return f32x4.add(x, y);
      case SUB: return f32x4.sub(x, y);
      case MUL: return f32x4.mul(x, y);
      case DIV: return f32x4.div(x, y);
      // wasm's f32x4.max/min propagate NaN and order -0 < +0, like Math.max/min.
      case MAXIMUM: return f32x4.max(x, y);
      case MINIMUM: return f32x4.min(x, y);
      case GREATER: return v128.and(f32x4.gt(x, y), one);
      case GREATER_EQUAL: return v128.and(f32x4.ge(x, y), one);
      case EQUAL: return v128.and(f32x4.eq(x, y), one);
      case LESS: return v128.and(f32x4.lt(x, y), one);
      case LESS_EQUAL: return v128.and(f32x4.le(x, y), one);
      case NOT_EQUAL: return v128.and(f32x4.ne(x, y), one);
      case LOGICAL_AND: {
        const zero = f32x4.splat(0);
        return v128.and(v128.and(f32x4.ne(x, zero), f32x4.ne(y, zero)), one);
      }
      case LOGICAL_OR: {
        const zero = f32x4.splat(0);
        return v128.and(v128.or(f32x4.ne(x, zero), f32x4.ne(y, zero)), one);
      }
      default: {
        // pow: lane by lane.
        let r = f32x4.splat(binaryS<f32>(op, f32x4.extract_lane(x, 0), f32x4.extract_lane(y, 0)));
        r = f32x4.replace_lane(r, 1, binaryS<f32>(op, f32x4.extract_lane(x, 1), f32x4.extract_lane(y, 1)));
        r = f32x4.replace_lane(r, 2, binaryS<f32>(op, f32x4.extract_lane(x, 2), f32x4.extract_lane(y, 2)));
        return f32x4.replace_lane(r, 3, binaryS<f32>(op, f32x4.extract_lane(x, 3), f32x4.extract_lane(y, 3)));
      }
    }
  } else {
    switch (op) {
      case ADD: return i32x4.add(x, y);
      case SUB: return i32x4.sub(x, y);
      case MUL: return i32x4.mul(x, y);
      case MAXIMUM: return isSigned<T>() ? i32x4.max_s(x, y) : i32x4.max_u(x, y);
      case MINIMUM: return isSigned<T>() ? i32x4.min_s(x, y) : i32x4.min_u(x, y);
      case GREATER: return v128.and(isSigned<T>() ? i32x4.gt_s(x, y) : i32x4.gt_u(x, y), i32x4.splat(1));
      case GREATER_EQUAL: return v128.and(isSigned<T>() ? i32x4.ge_s(x, y) : i32x4.ge_u(x, y), i32x4.splat(1));
      case EQUAL: return v128.and(i32x4.eq(x, y), i32x4.splat(1));
      case LESS: return v128.and(isSigned<T>() ? i32x4.lt_s(x, y) : i32x4.lt_u(x, y), i32x4.splat(1));
      case LESS_EQUAL: return v128.and(isSigned<T>() ? i32x4.le_s(x, y) : i32x4.le_u(x, y), i32x4.splat(1));
      case NOT_EQUAL: return v128.and(i32x4.ne(x, y), i32x4.splat(1));
      case LOGICAL_AND: return v128.and(v128.and(i32x4.ne(x, i32x4.splat(0)), i32x4.ne(y, i32x4.splat(0))), i32x4.splat(1));
      case LOGICAL_OR: return v128.and(v128.or(i32x4.ne(x, i32x4.splat(0)), i32x4.ne(y, i32x4.splat(0))), i32x4.splat(1));
    }
  }
  return x;
}

// ---- runs: `len` elements of one row ----

@inline
function unaryRun<T>(op: i32, x: usize, xs: i32, out: usize, len: i32): void {
  let i = 0;
  if (xs == 1) {
    for (; i + 4 <= len; i += 4) v128.store(at(out, i), unaryV<T>(op, v128.load(at(x, i))));
    for (; i < len; i++) store<T>(at(out, i), unaryS<T>(op, load<T>(at(x, i))));
  } else {
    for (; i < len; i++) store<T>(at(out, i), unaryS<T>(op, load<T>(at(x, i * xs))));
  }
}

@inline
function binaryRun<T>(op: i32, a: usize, as: i32, b: usize, bs: i32, out: usize, len: i32): void {
  let i = 0;
  if (as == 1 && bs == 1) {
    for (; i + 4 <= len; i += 4) v128.store(at(out, i), binaryV<T>(op, v128.load(at(a, i)), v128.load(at(b, i))));
  } else if (as == 1 && bs == 0) {
    const vb = v128.load32_splat(b);
    for (; i + 4 <= len; i += 4) v128.store(at(out, i), binaryV<T>(op, v128.load(at(a, i)), vb));
  } else if (as == 0 && bs == 1) {
    const va = v128.load32_splat(a);
    for (; i + 4 <= len; i += 4) v128.store(at(out, i), binaryV<T>(op, va, v128.load(at(b, i))));
  }
  for (; i < len; i++) store<T>(at(out, i), binaryS<T>(op, load<T>(at(a, i * as)), load<T>(at(b, i * bs))));
}

// ---- the walkers: a thread's flat range, row by row ----

/** dims = [shape(rank), xStrides(rank)]; out is dense. */
@inline
function unaryWalk<T>(op: i32, n: i32, x: usize, out: usize, rank: i32, dims: usize, tid: i32, nthreads: i32): void {
  const end = shareEnd(n, tid, nthreads);
  let i = shareStart(n, tid, nthreads);
  const cols = dim(dims, rank - 1);
  const xs = dim(dims, 2 * rank - 1);
  while (i < end) {
    const row = i / cols;
    const col = i - row * cols;
    const len = min(cols - col, end - i);
    unaryRun<T>(op, at(x, rowOffset(row, rank, dims, rank) + col * xs), xs, at(out, i), len);
    i += len;
  }
}

/** dims = [shape(rank), aStrides(rank), bStrides(rank)]; out is dense. */
@inline
function binaryWalk<T>(op: i32, n: i32, a: usize, b: usize, out: usize, rank: i32, dims: usize, tid: i32, nthreads: i32): void {
  const end = shareEnd(n, tid, nthreads);
  let i = shareStart(n, tid, nthreads);
  const cols = dim(dims, rank - 1);
  const as = dim(dims, 2 * rank - 1);
  const bs = dim(dims, 3 * rank - 1);
  while (i < end) {
    const row = i / cols;
    const col = i - row * cols;
    const len = min(cols - col, end - i);
    const pa = at(a, rowOffset(row, rank, dims, rank) + col * as);
    const pb = at(b, rowOffset(row, rank, dims, 2 * rank) + col * bs);
    binaryRun<T>(op, pa, as, pb, bs, at(out, i), len);
    i += len;
  }
}

// ---- the exports: one per dtype, the op switched once per call ----

@inline
function unaryAll<T>(op: i32, n: i32, x: usize, out: usize, rank: i32, dims: usize, tid: i32, nthreads: i32): void {
  switch (op) {
    case COPY: unaryWalk<T>(COPY, n, x, out, rank, dims, tid, nthreads); break;
    case NEG: unaryWalk<T>(NEG, n, x, out, rank, dims, tid, nthreads); break;
    case ABS: unaryWalk<T>(ABS, n, x, out, rank, dims, tid, nthreads); break;
    case SIGN: unaryWalk<T>(SIGN, n, x, out, rank, dims, tid, nthreads); break;
    case SQUARE: unaryWalk<T>(SQUARE, n, x, out, rank, dims, tid, nthreads); break;
    case LOGICAL_NOT: unaryWalk<T>(LOGICAL_NOT, n, x, out, rank, dims, tid, nthreads); break;
    default:
      if (isFloat<T>()) {
        switch (op) {
          case EXP: unaryWalk<T>(EXP, n, x, out, rank, dims, tid, nthreads); break;
          case LOG: unaryWalk<T>(LOG, n, x, out, rank, dims, tid, nthreads); break;
          case SQRT: unaryWalk<T>(SQRT, n, x, out, rank, dims, tid, nthreads); break;
          case RECIPROCAL: unaryWalk<T>(RECIPROCAL, n, x, out, rank, dims, tid, nthreads); break;
          case RELU: unaryWalk<T>(RELU, n, x, out, rank, dims, tid, nthreads); break;
          case STEP: unaryWalk<T>(STEP, n, x, out, rank, dims, tid, nthreads); break;
          case SIGMOID: unaryWalk<T>(SIGMOID, n, x, out, rank, dims, tid, nthreads); break;
          case TANH: unaryWalk<T>(TANH, n, x, out, rank, dims, tid, nthreads); break;
          case SOFTPLUS: unaryWalk<T>(SOFTPLUS, n, x, out, rank, dims, tid, nthreads); break;
          case LOG1P: unaryWalk<T>(LOG1P, n, x, out, rank, dims, tid, nthreads); break;
          case EXPM1: unaryWalk<T>(EXPM1, n, x, out, rank, dims, tid, nthreads); break;
          case LOG_SIGMOID: unaryWalk<T>(LOG_SIGMOID, n, x, out, rank, dims, tid, nthreads); break;
          default: unreachable();
        }
      } else unreachable();
  }
}

@inline
function binaryAll<T>(op: i32, n: i32, a: usize, b: usize, out: usize, rank: i32, dims: usize, tid: i32, nthreads: i32): void {
  switch (op) {
    case ADD: binaryWalk<T>(ADD, n, a, b, out, rank, dims, tid, nthreads); break;
    case SUB: binaryWalk<T>(SUB, n, a, b, out, rank, dims, tid, nthreads); break;
    case MUL: binaryWalk<T>(MUL, n, a, b, out, rank, dims, tid, nthreads); break;
    case MAXIMUM: binaryWalk<T>(MAXIMUM, n, a, b, out, rank, dims, tid, nthreads); break;
    case MINIMUM: binaryWalk<T>(MINIMUM, n, a, b, out, rank, dims, tid, nthreads); break;
    case GREATER: binaryWalk<T>(GREATER, n, a, b, out, rank, dims, tid, nthreads); break;
    case GREATER_EQUAL: binaryWalk<T>(GREATER_EQUAL, n, a, b, out, rank, dims, tid, nthreads); break;
    case EQUAL: binaryWalk<T>(EQUAL, n, a, b, out, rank, dims, tid, nthreads); break;
    case LESS: binaryWalk<T>(LESS, n, a, b, out, rank, dims, tid, nthreads); break;
    case LESS_EQUAL: binaryWalk<T>(LESS_EQUAL, n, a, b, out, rank, dims, tid, nthreads); break;
    case NOT_EQUAL: binaryWalk<T>(NOT_EQUAL, n, a, b, out, rank, dims, tid, nthreads); break;
    case LOGICAL_AND: binaryWalk<T>(LOGICAL_AND, n, a, b, out, rank, dims, tid, nthreads); break;
    case LOGICAL_OR: binaryWalk<T>(LOGICAL_OR, n, a, b, out, rank, dims, tid, nthreads); break;
    default:
      if (isFloat<T>()) {
        switch (op) {
          case DIV: binaryWalk<T>(DIV, n, a, b, out, rank, dims, tid, nthreads); break;
          case POW: binaryWalk<T>(POW, n, a, b, out, rank, dims, tid, nthreads); break;
          default: unreachable();
        }
      } else unreachable();
  }
}

/** out[i] = op(x[strided(i)]) for the f32 ops (codes above); n output elements. */
export function unaryF32(op: i32, n: i32, x: usize, out: usize, rank: i32, dims: usize, tid: i32, nthreads: i32): void {
  unaryAll<f32>(op, n, x, out, rank, dims, tid, nthreads);
}
export function unaryI32(op: i32, n: i32, x: usize, out: usize, rank: i32, dims: usize, tid: i32, nthreads: i32): void {
  unaryAll<i32>(op, n, x, out, rank, dims, tid, nthreads);
}
export function unaryU32(op: i32, n: i32, x: usize, out: usize, rank: i32, dims: usize, tid: i32, nthreads: i32): void {
  unaryAll<u32>(op, n, x, out, rank, dims, tid, nthreads);
}

/** out[i] = op(a[strided(i)], b[strided(i)]) for the f32 ops; broadcast dims have stride 0. */
export function binaryF32(op: i32, n: i32, a: usize, b: usize, out: usize, rank: i32, dims: usize, tid: i32, nthreads: i32): void {
  binaryAll<f32>(op, n, a, b, out, rank, dims, tid, nthreads);
}
export function binaryI32(op: i32, n: i32, a: usize, b: usize, out: usize, rank: i32, dims: usize, tid: i32, nthreads: i32): void {
  binaryAll<i32>(op, n, a, b, out, rank, dims, tid, nthreads);
}
export function binaryU32(op: i32, n: i32, a: usize, b: usize, out: usize, rank: i32, dims: usize, tid: i32, nthreads: i32): void {
  binaryAll<u32>(op, n, a, b, out, rank, dims, tid, nthreads);
}
