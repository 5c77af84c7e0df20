/**
 * The training images on the device, in a shuffled order per epoch, handed out as minibatches.
 *
 * The whole set lives on the device as one [n, d] tensor (or, where the adapter limits one storage
 * binding below n x d floats, as lavapipe's 128 MiB does for MNIST's 157 MB, as a few tensors of
 * whole minibatches each), and a minibatch is a row slice of it: a view (an offset into the same
 * buffer), no copy and no dispatch. D's first op, the input dropout, reads the view directly (it
 * takes strided inputs).
 *
 * Shuffling: the op set has no row-gather kernel, so the epoch's order is applied on the CPU, into
 * a buffer kept for the purpose, and uploaded once per epoch (one write of n x d floats: 157 MB for
 * MNIST, a few tens of milliseconds, against an epoch of 500 training steps). The order of epoch e
 * is a Fisher-Yates permutation drawn from its own seed, so a resumed run shuffles exactly as an
 * uninterrupted one would.
 */
import { SaddleError, fromArray, isWebGpu, slice, type Device, type Tensor } from '@saddle/autograd';
import { deriveSeed, permutation } from './rng.js';

/** A training set on the device, shuffled per epoch from its own seed, served in batches. */
export class DeviceDataset {
  private current: Tensor[] = [];
  /** Rows per device tensor: all n, or a multiple of the batch size that fits one binding. */
  readonly chunkRows: number;
  private currentEpoch = -1;
  private readonly staging: Float32Array;

  constructor(
    /** n x d values, row-major. */
    readonly images: Float32Array,
    readonly n: number,
    readonly d: number,
    readonly device: Device,
    /** The run seed; epoch e is shuffled with deriveSeed(seed, 'shuffle', e). */
    readonly seed: number,
    /** Rows per minibatch: a minibatch never straddles two device tensors. */
    readonly batchSize: number,
  ) {
    if (images.length < n * d) throw new SaddleError('DeviceDataset', `${images.length} values hold fewer than ${n} rows of ${d}`);
    const maxBytes = isWebGpu(device) ? Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize) : Infinity;
    const fitRows = Math.floor(maxBytes / (4 * d));
    this.chunkRows = fitRows >= n ? n : Math.floor(fitRows / batchSize) * batchSize;
    if (this.chunkRows < batchSize)
      throw new SaddleError('DeviceDataset', `a minibatch of ${batchSize} x ${d} floats does not fit one storage binding (${maxBytes} bytes)`);
    this.staging = new Float32Array(n * d);
  }

  /** Minibatches in one epoch (a last, partial batch is dropped). */
  get batchesPerEpoch(): number {
    return Math.floor(this.n / this.batchSize);
  }

  /** The order of epoch `epoch` (indices into the stored rows). */
  order(epoch: number): Int32Array {
    return permutation(this.n, deriveSeed(this.seed, 'shuffle', epoch));
  }

  /** Makes `epoch`'s shuffled copy current (uploads it unless it already is). */
  startEpoch(epoch: number): void {
    if (this.currentEpoch === epoch && this.current.length > 0) return;
    const order = this.order(epoch);
    const { d, images, staging } = this;
    for (let i = 0; i < this.n; i++) staging.set(images.subarray(order[i]! * d, order[i]! * d + d), i * d);
    for (const t of this.current) t.dispose();
    this.current = [];
    for (let r = 0; r < this.n; r += this.chunkRows) {
      const rows = Math.min(this.chunkRows, this.n - r);
      this.current.push(fromArray(this.staging.subarray(r * this.d, (r + rows) * this.d), [rows, this.d], { device: this.device }));
    }
    this.currentEpoch = epoch;
  }

  /** Minibatch `index` of the current epoch's order (rows index * batchSize ...): a view (dispose it, or let tidy). */
  batch(index: number): Tensor {
    if (this.current.length === 0) throw new SaddleError('DeviceDataset', 'batch() before startEpoch()');
    const b = this.batchSize;
    if (!(Number.isInteger(index) && index >= 0 && index < this.batchesPerEpoch)) {
      throw new SaddleError('DeviceDataset', `batch ${index} is out of range; an epoch has ${this.batchesPerEpoch} batches of ${b}`);
    }
    const row = index * b;
    const chunk = Math.floor(row / this.chunkRows);
    return slice(this.current[chunk]!, [row - chunk * this.chunkRows, 0], [b, this.d]);
  }

  /** Frees the device tensors. */
  dispose(): void {
    for (const t of this.current) t.dispose();
    this.current = [];
    this.currentEpoch = -1;
  }
}
