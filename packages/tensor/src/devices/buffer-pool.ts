/**
 * Reuses GPUBuffers instead of creating one per tensor. Buffers are kept in power-of-two size
 * classes (at least 256 bytes). A released buffer is not reusable at once: work that reads it may
 * still sit unsubmitted in the command encoder, and a `queue.writeBuffer` into it from its next
 * owner would land before that work runs. So released buffers wait in `pending` until the next
 * submit, and only then join the free lists.
 */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private pending: GPUBuffer[] = [];
  private pooledBytes = 0;
  private pooledCount = 0;
  allocatedBytes = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: GPUBufferUsageFlags,
  ) {}

  /** The pool's size class for a request of `bytes`. */
  static sizeClass(bytes: number): number {
    return Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));
  }

  /** A buffer of at least `bytes` (its size class): a pooled one, or a new one. */
  acquire(bytes: number): GPUBuffer {
    const size = BufferPool.sizeClass(bytes);
    const list = this.free.get(size);
    const reused = list?.pop();
    if (reused) {
      this.pooledBytes -= size;
      this.pooledCount--;
      return reused;
    }
    this.allocatedBytes += size;
    return this.device.createBuffer({ size, usage: this.usage });
  }

  /** Hands a buffer back; it becomes reusable after the next submit. */
  release(buffer: GPUBuffer): void {
    this.pending.push(buffer);
  }

  /** Called right after a submit: everything released before it is now safe to reuse. */
  afterSubmit(): void {
    for (const b of this.pending) {
      let list = this.free.get(b.size);
      if (!list) this.free.set(b.size, (list = []));
      list.push(b);
      this.pooledBytes += b.size;
      this.pooledCount++;
    }
    this.pending = [];
  }

  /** Destroys every free buffer (the pool's memory goes back to the driver). */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.allocatedBytes -= this.pooledBytes;
    this.free.clear();
    this.pooledBytes = 0;
    this.pooledCount = 0;
  }

  /** Bytes and buffers in the pool, and buffers waiting for the GPU to finish with them. */
  stats(): { pooledBytes: number; pooledBuffers: number; pendingBuffers: number } {
    return { pooledBytes: this.pooledBytes, pooledBuffers: this.pooledCount, pendingBuffers: this.pending.length };
  }
}
