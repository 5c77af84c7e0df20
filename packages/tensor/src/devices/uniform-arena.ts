/**
 * Kernel parameters (sizes, strides, scalars) without a new buffer per dispatch. Each dispatch
 * writes its parameters into a 256-byte-aligned slot of one CPU-side staging array and binds the
 * matching range of one large uniform buffer. On submit the used part is uploaded with a single
 * `queue.writeBuffer`, which the queue orders after the previous submit and before this one, so the
 * same GPU buffer serves every batch.
 */
export class UniformArena {
  static readonly SLOT_ALIGN = 256;
  readonly buffer: GPUBuffer;
  private readonly staging: Uint8Array<ArrayBuffer>;
  private used = 0;

  constructor(
    private readonly device: GPUDevice,
    readonly capacity = 1 << 20,
  ) {
    this.buffer = device.createBuffer({
      label: 'saddle uniform arena',
      size: capacity,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.staging = new Uint8Array(capacity);
  }

  /** True if `bytes` more fit before the next submit. */
  fits(bytes: number): boolean {
    return this.used + roundUp(bytes, UniformArena.SLOT_ALIGN) <= this.capacity;
  }

  /** Copies `data` into the next slot and returns its byte offset. */
  push(data: Uint8Array): { offset: number; size: number } {
    const offset = this.used;
    this.staging.set(data, offset);
    const size = roundUp(Math.max(data.byteLength, 16), 16);
    this.used += roundUp(data.byteLength, UniformArena.SLOT_ALIGN);
    return { offset, size };
  }

  /** Uploads what this batch wrote; call just before `queue.submit`. */
  upload(): void {
    if (this.used === 0) return;
    this.device.queue.writeBuffer(this.buffer, 0, this.staging, 0, this.used);
    this.used = 0;
  }

  /** Destroys the arena's buffers. */
  destroy(): void {
    this.buffer.destroy();
  }
}

function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}
