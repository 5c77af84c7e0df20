/**
 * What the wasm probes (wasm-matmul-probe.ts, wasm-fma-probe.ts, ema-probe.ts, optimizer-probe.ts)
 * share: the process's CPU time as a clock, interleaved timing, and the `MxNxK[:tA][:tB]` shapes of
 * their command lines.
 */

/** The process's CPU time (user + system), in ms: what a single-threaded call consumed, whatever the scheduler did. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Times the runners interleaved: `reps` rounds (41), each calling every runner `calls` times (20)
 * in turn, so a change in the machine's load falls on all of them alike. Returns each runner's
 * time per call in ms by `clock` (the process's CPU time), one entry per round, sorted ascending.
 */
export function interleaved(runners: Record<string, () => void>, opts: { reps?: number; calls?: number; clock?: () => number } = {}): Record<string, number[]> {
  const { reps = 41, calls = 20, clock = cpuMs } = opts;
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(runners).map((name) => [name, []]));
  for (let r = 0; r < reps; r++) {
    for (const [name, f] of Object.entries(runners)) {
      const t0 = clock();
      for (let i = 0; i < calls; i++) f();
      times[name]!.push((clock() - t0) / calls);
    }
  }
  for (const xs of Object.values(times)) xs.sort((a, b) => a - b);
  return times;
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
