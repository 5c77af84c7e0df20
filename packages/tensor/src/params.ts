/**
 * Packs a kernel's uniform parameters. WGSL's uniform layout: 4-byte scalars in declaration order;
 * a `vec4<u32>` (used for shapes and strides) starts on a 16-byte boundary. Write fields in the
 * order the WGSL struct declares them.
 */
export class Params {
  private readonly view: DataView;
  private readonly bytes: Uint8Array;
  private offset = 0;

  constructor(capacity = 512) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Appends u32 values. */
  u32(...values: number[]): this {
    for (const v of values) {
      this.view.setUint32(this.offset, v >>> 0, true);
      this.offset += 4;
    }
    return this;
  }

  /** Appends i32 values. */
  i32(...values: number[]): this {
    for (const v of values) {
      this.view.setInt32(this.offset, v | 0, true);
      this.offset += 4;
    }
    return this;
  }

  /** Appends f32 values. */
  f32(...values: number[]): this {
    for (const v of values) {
      this.view.setFloat32(this.offset, v, true);
      this.offset += 4;
    }
    return this;
  }

  /** Pads to a 16-byte boundary, then writes `values` as vec4<u32>s (zero-filled to a multiple of 4). */
  vec4u(values: readonly number[], count = Math.ceil(values.length / 4)): this {
    this.align(16);
    for (let i = 0; i < count * 4; i++) {
      this.view.setUint32(this.offset, (values[i] ?? 0) >>> 0, true);
      this.offset += 4;
    }
    return this;
  }

  /** Pads to a multiple of `to` bytes (16 before a vec4). */
  align(to: number): this {
    this.offset = Math.ceil(this.offset / to) * to;
    return this;
  }

  /** The packed bytes, padded to 16. */
  finish(): Uint8Array {
    this.align(16);
    return this.bytes.subarray(0, Math.max(this.offset, 16));
  }
}
