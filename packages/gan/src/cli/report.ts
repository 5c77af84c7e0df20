/**
 * What `gan train` prints while it runs: a progress bar on a terminal (cli-progress), else a line
 * every 30 seconds; one summary line per epoch.
 */
import cliProgress from 'cli-progress';
import type { Tensor } from '@saddle/autograd';
import type { GanConfig } from '../presets.js';
import type { EpochRecord, ProgressInfo } from '../train/records.js';
import type { CliIO } from './flags.js';

export const fmt = (v: number | null | undefined, digits = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));

export function summaryLine(r: EpochRecord, epochs: number): string {
  return (
    `epoch ${r.epoch}/${epochs}${r.partial ? ' (partial)' : ''}: ${r.iterations} it, ${r.seconds.toFixed(1)} s (${r.msPerIteration.toFixed(1)} ms/it) | ` +
    `D loss ${fmt(r.dLoss)} G loss ${fmt(r.gLoss)} | D(x) ${fmt(r.dReal)} D(G(z)) ${fmt(r.dFake)} | V(D,G) valid ${fmt(r.value)}` +
    (r.parzen
      ? ` | Parzen ${r.parzen.mean.toFixed(1)} ± ${r.parzen.stdErr.toFixed(1)}${r.parzen.specksPerSample === undefined ? '' : `, ${r.parzen.specksPerSample.toFixed(2)} specks/sample`}`
      : '')
  );
}

export function countParams(ts: readonly Tensor[]): number {
  return ts.reduce((a, t) => a + t.size, 0);
}

/** The progress display of a training run: `onProgress` for runTraining, `stop` to end the bar. */
export function progressReporter(
  io: CliIO,
  c: GanConfig,
  totalIterations: () => number,
  showBar: boolean,
): { onProgress: (p: ProgressInfo) => void; stop: () => void } {
  const bar = showBar
    ? new cliProgress.SingleBar(
        {
          format: 'epoch {epochNo}/{epochs} |{bar}| {value}/{total} it | {msit} ms/it | D {dLoss} G {gLoss} | D(x) {dx} D(G(z)) {dgz} | eta {eta_formatted}',
          hideCursor: true,
          stream: process.stderr,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let lastLine = performance.now();
  let lastIt = { at: performance.now(), it: totalIterations() };
  const onProgress = (p: ProgressInfo) => {
    const now = performance.now();
    const msit = (now - lastIt.at) / Math.max(1, totalIterations() - lastIt.it);
    lastIt = { at: now, it: totalIterations() };
    const payload = {
      epochNo: p.epoch + 1,
      epochs: c.epochs,
      msit: msit.toFixed(0),
      dLoss: fmt(p.stats.dLoss),
      gLoss: fmt(p.stats.gLoss),
      dx: fmt(p.stats.dReal),
      dgz: fmt(p.stats.dFake),
    };
    if (bar) {
      if (p.iterInEpoch <= c.logEvery || bar.getTotal() !== p.iterationsPerEpoch) bar.start(p.iterationsPerEpoch, p.iterInEpoch, payload);
      else bar.update(p.iterInEpoch, payload);
    } else if (now - lastLine > 30_000) {
      lastLine = now;
      io.out(
        `  epoch ${p.epoch + 1} ${p.iterInEpoch}/${p.iterationsPerEpoch} it, ${payload.msit} ms/it, D ${payload.dLoss} G ${payload.gLoss} D(x) ${payload.dx} D(G(z)) ${payload.dgz}`,
      );
    }
  };
  return { onProgress, stop: () => bar?.stop() };
}
