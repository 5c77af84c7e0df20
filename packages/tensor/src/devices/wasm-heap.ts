/**
 * The allocator of the wasm device: hands out blocks of one WebAssembly.Memory to storages.
 *
 * Sizes are rounded up to a size class (powers of two cut in four steps: 64, 80, 96, 112, 128,
 * 160, ... bytes, so at most 25% is wasted), and a freed block goes onto the free list of its size,
 * to be handed out again to the next request of that class. A training loop (the same sizes every
 * iteration) so runs in flat memory after its first iteration, exactly the buffer pool's policy
 * on WebGPU, at the cost of a map lookup per allocation.
 *
 * New blocks are cut from the top of the heap. Before the top would pass the memory's end (a
 * grow, or at the 4 GiB limit a failure), the free blocks are reused across sizes: adjacent free
 * blocks are merged (coalesced), a free run that reaches the top lowers the top, and the smallest
 * free block that holds the request is split (the rest stays free, under its own size). So what
 * fits in the memory after frees is allocated (three freed 1 GiB blocks hold a 1.5 GiB tensor),
 * and the memory grows only when the free blocks cannot serve the request. When the top passes the
 * memory's end, the memory grows by at least a quarter of its size (growth is rare). Shared memory
 * never moves or detaches, so the typed-array views of earlier blocks stay valid after a grow.
 *
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
  /** Free blocks by their size in bytes (a class's size, or any size after a merge or a split). */
  private readonly free = new Map<number, number[]>();
  /** The size of every block handed out, by address (a split block's size is its request's class). */
  private readonly sizes = new Map<number, number>();
  private top: number;
  private pooled = 0;
  private pooledBlocks = 0;
  /** Whether a block was released since the free blocks were last merged. */
  private releasedSinceMerge = false;

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
    let ptr = this.take(cls);
    if (ptr === null && this.top + cls > this.memory.buffer.byteLength) ptr = this.reuse(cls);
    if (ptr === null) {
      ptr = this.top;
      const end = ptr + cls;
      if (end > this.memory.buffer.byteLength) this.grow(end, bytes);
      this.top = end;
    }
    this.sizes.set(ptr, cls);
    return ptr;
  }

  /** Returns a block (from alloc) to the free list of its size. */
  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new Error(`wasm heap: ${ptr} is not an allocated block`);
    this.sizes.delete(ptr);
    this.put(ptr, size);
    this.releasedSinceMerge = true;
  }

  /** A free block of exactly `size` bytes, or null. */
  private take(size: number): number | null {
    const list = this.free.get(size);
    if (!list || list.length === 0) return null;
    this.pooled -= size;
    this.pooledBlocks--;
    return list.pop()!;
  }

  private put(ptr: number, size: number): void {
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(ptr);
    this.pooled += size;
    this.pooledBlocks++;
  }

  /**
   * A block of `size` bytes from the free blocks of any size (merged first, if anything was freed
   * since the last merge): the smallest that holds it, split. Null if none does (the top may have
   * been lowered meanwhile, so that the caller's cut needs less growth).
   */
  private reuse(size: number): number | null {
    if (this.releasedSinceMerge) this.merge();
    let best = -1;
    for (const [s, list] of this.free) if (s >= size && list.length > 0 && (best < 0 || s < best)) best = s;
    if (best < 0) return null;
    const ptr = this.take(best)!;
    if (best > size) this.put(ptr + size, best - size);
    return ptr;
  }

  /** Merges adjacent free blocks; a free run that ends at the top lowers the top instead. */
  private merge(): void {
    const blocks: [number, number][] = [];
    for (const [size, list] of this.free) for (const ptr of list) blocks.push([ptr, size]);
    blocks.sort((a, b) => a[0] - b[0]);
    this.free.clear();
    this.pooled = 0;
    this.pooledBlocks = 0;
    const runs: [number, number][] = [];
    for (const [ptr, size] of blocks) {
      const last = runs[runs.length - 1];
      if (last && last[0] + last[1] === ptr) last[1] += size;
      else runs.push([ptr, size]);
    }
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === this.top) {
      this.top = last[0];
      runs.pop();
    }
    for (const [ptr, size] of runs) this.put(ptr, size);
    this.releasedSinceMerge = false;
  }

  private grow(end: number, bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > this.maxBytes) {
      throw new RangeError(
        `${bytes} more bytes would take the wasm memory past the maximum of ${this.maxBytes} bytes${this.maxBytes === 2 ** 32 ? ' (4 GiB, the wasm32 address space)' : ''}: ` +
          `${this.liveBytesInBlocks} bytes are in use, and the ${this.pooled} free bytes are in blocks that cannot hold it`,
      );
    }
    const want = Math.min(this.maxBytes, Math.max(end, have + have / 4));
    this.memory.grow(Math.ceil((want - have) / PAGE));
  }

  /** Bytes of the blocks handed out and not released. */
  private get liveBytesInBlocks(): number {
    let n = 0;
    for (const s of this.sizes.values()) n += s;
    return n;
  }

  /** Bytes below the top (every block cut and not given back to the top: live or free). */
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
