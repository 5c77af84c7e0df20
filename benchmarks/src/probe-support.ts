/**
 * What the wasm probes (wasm-matmul-probe.ts, wasm-fma-probe.ts, ema-probe.ts) share: the
 * process's CPU time as a clock, and the `MxNxK[:tA][:tB]` shapes of their command lines.
 */

/** The process's CPU time (user + system), in ms: what a single-threaded call consumed, whatever the scheduler did. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** One matrix product of a probe: op(A) [m, k] · op(B) [k, n]. */
export interface ProbeShape {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  label: string;
}

/** The shapes among `args` (those not starting with `--`), or `defaults` when there are none. */
export function matmulShapes(args: readonly string[], defaults: readonly string[]): ProbeShape[] {
  const given = args.filter((a) => !a.startsWith('--'));
  return (given.length ? given : defaults).map((s) => {
    const [dims, ...flags] = s.split(':');
    const [m, n, k] = dims!.split('x').map(Number) as [number, number, number];
    if (![m, n, k].every((x) => Number.isInteger(x) && x > 0)) throw new Error(`bad shape '${s}': expected MxNxK[:tA][:tB]`);
    return { m, n, k, transA: flags.includes('tA'), transB: flags.includes('tB'), label: s };
  });
}
