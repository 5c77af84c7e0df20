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
