/**
 * Every error the library throws for bad input is a SaddleError that names the op, what it got
 * and what it expected, e.g. `matmul: inner dimensions differ: a is [2, 3], b is [4, 5]; expected a[1] == b[0]`.
 */
export class SaddleError extends Error {
  constructor(
    readonly op: string,
    message: string,
  ) {
    super(`${op}: ${message}`);
    this.name = 'SaddleError';
  }
}

/** Formats a shape the way errors print it: `[2, 3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** `1234567890` bytes as `1234567890 bytes (1.15 GiB)`. */
export function fmtBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = bytes;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u < 0 ? `${bytes} bytes` : `${bytes} bytes (${v.toFixed(v < 10 ? 2 : 1)} ${units[u]})`;
}

/**
 * A tensor's memory that the device cannot give: names the op, the shape, the dtype, the bytes,
 * the device and why (never a RangeError from a typed array, on any device).
 */
export class AllocationError extends SaddleError {
  constructor(
    op: string,
    readonly shape: readonly number[],
    readonly dtype: string,
    readonly bytes: number,
    readonly deviceName: string,
    reason: string,
  ) {
    super(
      op,
      `cannot allocate ${fmtShape(shape)} ${dtype}, ${fmtBytes(bytes)}, on ${deviceName}: ${reason}; ` +
        `expected a tensor that fits (dispose tensors no longer needed, or use a smaller shape)`,
    );
    this.name = 'AllocationError';
  }
}
