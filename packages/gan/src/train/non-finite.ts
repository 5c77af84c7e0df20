/**
 * Divergence: a NaN or an infinity in the losses or the parameters. The trainer finds it at its
 * regular read of the statistics (every `logEvery` iterations, the end of an epoch, a stop), where
 * a finiteness probe of every parameter rides along in the same read-back: no extra read on the
 * hot path, so it can say only that the values went bad in the iterations since the last read.
 * A trainer in that state is never checkpointed (saveCheckpoint refuses non-finite tensors too).
 */
import { SaddleError } from '@saddle/autograd';
import type { RunningStats } from './records.js';

/** Where training found a non-finite value: what, and at which epoch and iteration. */
export interface NonFiniteReport {
  /** What was found non-finite: 'D loss', 'G loss', 'D(x)', 'D(G(z))' and parameter names. */
  what: string[];
  /** The 0-based epoch in progress and the iterations of it done. */
  epoch: number;
  iterInEpoch: number;
  /** Iterations done in the run when it was found, and at the previous read (when all was finite). */
  iteration: number;
  since: number;
}

export class NonFiniteError extends SaddleError {
  constructor(readonly report: NonFiniteReport) {
    const r = report;
    const what = r.what.length > 4 ? `${r.what.slice(0, 4).join(', ')} and ${r.what.length - 4} more` : r.what.join(', ');
    const when = r.iteration - r.since > 1 ? `in iterations ${r.since + 1}-${r.iteration}` : `in iteration ${r.iteration}`;
    super(
      'GanTrainer',
      `training diverged: non-finite ${what} ${when} of the run (epoch ${r.epoch + 1}, iteration ${r.iterInEpoch} of the epoch); all was finite after iteration ${r.since}`,
    );
    this.name = 'NonFiniteError';
  }
}

/** The non-finite entries among the running statistics and the parameters' probes (sum |p|, named). */
export function nonFiniteStats(stats: RunningStats, names: readonly string[], probes: readonly number[]): string[] {
  const bad: string[] = [];
  for (const [label, v] of [
    ['D loss', stats.dLoss],
    ['G loss', stats.gLoss],
    ['D(x)', stats.dReal],
    ['D(G(z))', stats.dFake],
  ] as const) {
    if (!Number.isFinite(v)) bad.push(label);
  }
  probes.forEach((v, i) => {
    if (!Number.isFinite(v)) bad.push(names[i]!);
  });
  return bad;
}
