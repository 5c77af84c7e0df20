import { allocating } from './allocate.js';
import { SaddleError, fmtShape } from './errors.js';
import { allocArray, bytesPerElement, checkDType, dtypeOf, type DType, type TypedArray } from './dtype.js';
import { contiguousStrides, isContiguous, sizeOf, checkShape, type Shape } from './shape.js';
import type { Device } from './devices/device.js';
import { defaultDevice } from './devices/default.js';
import type { Storage } from './storage.js';
import { track } from './scope.js';
import { claimSingleCopy } from './process-wide.js';
import { formatValues, type FormatOptions } from './format.js';

// A second copy of this package in the process would split tensors into two foreign kinds: refuse it.
claimSingleCopy('@saddle/tensor', import.meta.url);

let nextId = 1;
let liveTensors = 0;
let collectedTensors = 0;

/** Tensors dropped without dispose() still give their memory back when garbage-collected. */
const finalizer = new FinalizationRegistry<Storage>((storage) => {
  liveTensors--;
  collectedTensors++;
  storage.release();
});

/** What `Tensor.backward` passes on to the autograd engine (see @saddle/autograd's BackwardOptions). */
export interface BackwardFlags {
  retainGraph?: boolean;
  createGraph?: boolean;
}

/** Hooks a higher package (autograd) installs; the tensor package itself knows no gradients. */
/** Hooks a higher package (autograd) installs; the tensor package itself knows no gradients. */
export const gradHooks: {
  /** Backpropagates from `t` (`Tensor.backward` calls it); null until @saddle/autograd is imported. */
  backward: ((t: Tensor, seed?: Tensor, options?: BackwardFlags) => void) | null;
} = { backward: null };

/**
 * An n-dimensional array on a device: a view (shape, strides, offset, in elements) of a Storage.
 * Views share storage; each tensor holds one reference to it.
 */
export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly size: number;
  /** Set by @saddle/autograd: whether operations on this tensor are recorded for backward. */
  requiresGrad = false;
  /** The accumulated gradient of a leaf after `backward()`. */
  grad: Tensor | null = null;
  /** Set by @saddle/autograd: the tape node that produced this tensor. */
  gradNode: unknown = null;
  private disposed = false;

  /** Low level: wraps a storage. Ops use `Tensor.empty`; users use `tensor`, `zeros`, ... */
  constructor(
    readonly storage: Storage,
    shape: Shape,
    strides?: readonly number[],
    readonly offset = 0,
  ) {
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.size = sizeOf(shape);
    liveTensors++;
    finalizer.register(this, storage, this);
    track(this);
  }

  /**
   * A new tensor of `shape` with unspecified contents (for ops' outputs). If the device cannot give
   * the memory: an AllocationError from `op` (default: the op in progress, see allocate.ts).
   */
  static empty(shape: Shape, dtype: DType = 'f32', device: Device = defaultDevice(), op?: string): Tensor {
    checkShape(op ?? 'empty', shape);
    checkDType(op ?? 'empty', dtype);
    return new Tensor(
      allocating(op, shape, dtype, device, () => device.alloc(dtype, sizeOf(shape))),
      shape,
    );
  }

  get dtype(): DType {
    return this.storage.dtype;
  }

  get device(): Device {
    return this.storage.device;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Contiguous row-major with offset 0: kernels read such a tensor as a flat array. */
  get isDense(): boolean {
    return this.offset === 0 && isContiguous(this.shape, this.strides);
  }

  get isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /** Throws a clear error if this tensor was disposed; ops call it on every input. */
  assertAlive(op: string): this {
    if (this.disposed) throw new SaddleError(op, `tensor #${this.id} ${fmtShape(this.shape)} was disposed`);
    return this;
  }

  /** A view of the same storage (no copy). */
  view(shape: Shape, strides: readonly number[], offset: number): Tensor {
    this.assertAlive('view');
    this.storage.retain();
    return new Tensor(this.storage, shape, strides, offset);
  }

  /** Drops this tensor's reference to its storage (and its gradient); using it afterwards throws. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    finalizer.unregister(this);
    liveTensors--;
    this.storage.release();
    if (this.grad && !this.grad.isDisposed) this.grad.dispose();
    this.grad = null;
    this.gradNode = null;
  }

  /** Disposes the tensor at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The elements in row-major order, copied to the CPU. */
  async toArray(): Promise<TypedArray> {
    this.assertAlive('toArray');
    if (this.isContiguous) return this.device.read(this.storage, this.offset, this.size);
    // A strided view: read the span it covers, then gather on the CPU.
    let lo = this.offset;
    let hi = this.offset;
    this.shape.forEach((d, i) => {
      if (d === 0) return;
      const s = this.strides[i]!;
      if (s > 0) hi += (d - 1) * s;
      else lo += (d - 1) * s;
    });
    if (this.size === 0) return allocArray(this.dtype, 0);
    const span = await this.device.read(this.storage, lo, hi - lo + 1);
    return gather(span, this.shape, this.strides, this.offset - lo);
  }

  /** Nested JS arrays (like `tensor.tolist()` in PyTorch). */
  async toNested(): Promise<unknown> {
    return nest(await this.toArray(), this.shape);
  }

  /**
   * The elements in row-major order, copied, read synchronously: on `cpu` and `wasm`, whose memory
   * the calling thread sees (and whose ops have finished when they return). A `webgpu` tensor
   * cannot be read without waiting for the GPU: a SaddleError says to `await t.toArray()`.
   */
  dataSync(): TypedArray {
    return this.readSync('dataSync');
  }

  /** Nested JS arrays, read synchronously (`cpu` and `wasm`; see `dataSync`). */
  arraySync(): unknown {
    return nest(this.readSync('arraySync'), this.shape);
  }

  private readSync(op: string): TypedArray {
    this.assertAlive(op);
    const data = this.storage.data;
    if (!data) {
      throw new SaddleError(
        op,
        `tensor #${this.id} ${fmtShape(this.shape)} ${this.dtype} is on ${this.device.name}, which cannot be read synchronously; expected a cpu or wasm tensor (on webgpu: await t.toArray() or await t.toNested())`,
      );
    }
    if (this.isContiguous) return data.slice(this.offset, this.offset + this.size);
    return gather(data, this.shape, this.strides, this.offset);
  }

  /**
   * The values as text, PyTorch-style: nested rows aligned, summarized with `...` beyond
   * `options.threshold` elements (1000), then the shape, dtype and device. Reads the tensor back
   * (on webgpu this waits for the GPU).
   */
  async format(options: FormatOptions = {}): Promise<string> {
    return formatValues(await this.toArray(), this.formatContext(), options);
  }

  /** Prints `await this.format(options)` with console.log. */
  async print(options: FormatOptions = {}): Promise<void> {
    console.log(await this.format(options));
  }

  private formatContext() {
    return { shape: this.shape, dtype: this.dtype, device: this.device.name };
  }

  /** The values when this thread can read them now (`cpu`, `wasm`), else a one-line summary. */
  private describe(): string {
    if (!this.disposed && this.storage.data) return formatValues(this.readSync('toString'), this.formatContext());
    const where = this.disposed ? 'disposed' : 'values on the device: await t.print()';
    return `Tensor(#${this.id}, shape=${fmtShape(this.shape)}, dtype=${this.dtype}, device=${this.device.name}, ${where})`;
  }

  /** What `console.log(t)` and `util.inspect(t)` show in Node: see `toString`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.describe();
  }

  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new SaddleError('item', `tensor has shape ${fmtShape(this.shape)}; expected exactly one element`);
    return (await this.toArray())[0]!;
  }

  /** A copy of this tensor on `device` (dense, same dtype). */
  async to(device: Device): Promise<Tensor> {
    const data = await this.toArray();
    return new Tensor(device.upload(data, this.dtype), this.shape);
  }

  /**
   * Backpropagates from this tensor (a scalar, or any tensor with `seed`). Needs @saddle/autograd.
   * `backward({ createGraph: true })` (or `backward(seed, { createGraph: true })`) records the
   * gradients themselves onto the tape, so they can be differentiated again.
   */
  backward(seed?: Tensor | BackwardFlags, options?: BackwardFlags): void {
    if (!gradHooks.backward) throw new SaddleError('backward', 'no autograd engine is loaded; import @saddle/autograd');
    if (seed !== undefined && !(seed instanceof Tensor)) gradHooks.backward(this, undefined, seed);
    else gradHooks.backward(this, seed, options);
  }

  /**
   * On `cpu` and `wasm`, the values as `format()` lays them out (summarized beyond 1000 elements);
   * on `webgpu`, which cannot be read synchronously, or once disposed: the id, shape, dtype and device.
   */
  toString(): string {
    return this.describe();
  }
}

/** Row-major `flat` as nested arrays of `shape` (a number for rank 0). */
function nest(flat: ArrayLike<number>, shape: Shape): unknown {
  const build = (dim: number, start: number): unknown => {
    if (dim === shape.length) return flat[start];
    const inner = sizeOf(shape.slice(dim + 1));
    return Array.from({ length: shape[dim]! }, (_, i) => build(dim + 1, start + i * inner));
  };
  return build(0, 0);
}

function gather(src: TypedArray, shape: Shape, strides: readonly number[], base: number): TypedArray {
  const n = sizeOf(shape);
  const out = allocArray(dtypeOf(src), n);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let pos = base;
  for (let i = 0; i < n; i++) {
    out[i] = src[pos]!;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      pos += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      pos -= idx[d]! * strides[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Live tensor count (every device). */
export function liveTensorCount(): number {
  return liveTensors;
}

/**
 * Tensors freed by the garbage collector because they were dropped without dispose() (every
 * device, since the process started). `liveTensors + collectedTensors` changes only when a tensor
 * is created or disposed, so it does not depend on when the collector happens to run.
 */
export function collectedTensorCount(): number {
  return collectedTensors;
}

export { bytesPerElement };
