/**
 * The allocator of the wasm device: hands out blocks of one WebAssembly.Memory to storages.
 *
 * Sizes are rounded up to a size class (powers of two cut in four steps: 64, 80, 96, 112, 128,
 * 160, ... bytes, so at most 25% is wasted), and a freed block goes onto its class's free list, to
 * be handed out again to the next request of that class. Blocks are never split or merged, which
 * keeps the allocator a few lines long and makes a training loop (the same sizes every iteration)
 * run in flat memory after its first iteration: exactly the buffer pool's policy on WebGPU.
 * New blocks are cut from the top of the heap; when the top passes the memory's end, the memory
 * grows (by at least a quarter of its size, so growth is rare). Shared memory never moves or
 * detaches, so the typed-array views of earlier blocks stay valid after a grow.
 *
 * Every block starts on a 64-byte boundary (a cache line; f32x4 loads are then aligned too).
 * Execution on the device is synchronous, so a block is free for reuse the moment its storage is
 * released: no kernel can still be reading it.
 */
const ALIGN = 64;
const PAGE = 65536;

/** The size class of a request of `bytes`: the smallest of 2^k * {1, 1.25, 1.5, 1.75} (>= 64) that holds it. */
export function sizeClass(bytes: number): number {
  if (bytes <= ALIGN) return ALIGN;
  const pow = 2 ** Math.floor(Math.log2(bytes));
  const step = pow / 4;
  return Math.ceil(bytes / step) * step;
}

/** The wasm device's allocator: size classes with free lists in one WebAssembly.Memory, growing it when full. */
export class WasmHeap {
  private readonly free = new Map<number, number[]>();
  private top: number;
  private pooled = 0;
  private pooledBlocks = 0;

  constructor(
    readonly memory: WebAssembly.Memory,
    /** First byte the heap may use (past the module's static data and the pool's control block). */
    readonly base: number,
    /** The memory's maximum, in bytes. */
    readonly maxBytes: number,
  ) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
  }

  /** A block of at least `bytes` bytes; returns its byte address. */
  alloc(bytes: number): number {
    const cls = sizeClass(bytes);
    const list = this.free.get(cls);
    if (list && list.length > 0) {
      this.pooled -= cls;
      this.pooledBlocks--;
      return list.pop()!;
    }
    const ptr = this.top;
    const end = ptr + cls;
    if (end > this.memory.buffer.byteLength) this.grow(end);
    this.top = end;
    return ptr;
  }

  /** Returns a block (from alloc with the same `bytes`) to its class's free list. */
  release(ptr: number, bytes: number): void {
    const cls = sizeClass(bytes);
    let list = this.free.get(cls);
    if (!list) this.free.set(cls, (list = []));
    list.push(ptr);
    this.pooled += cls;
    this.pooledBlocks++;
  }

  private grow(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > this.maxBytes) {
      throw new RangeError(`wasm memory: ${end} bytes needed, past the maximum of ${this.maxBytes} (4 GiB, the wasm32 address space)`);
    }
    const want = Math.min(this.maxBytes, Math.max(end, have + have / 4));
    this.memory.grow(Math.ceil((want - have) / PAGE));
  }

  /** Bytes below the top (every block ever cut: live or free). */
  get allocatedBytes(): number {
    return this.top - Math.ceil(this.base / ALIGN) * ALIGN;
  }

  get pooledBytes(): number {
    return this.pooled;
  }

  get pooledCount(): number {
    return this.pooledBlocks;
  }
}
