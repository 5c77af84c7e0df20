/**
 * A training run around the epoch loop: train until the configured epochs are done, the deadline
 * passes or a stop is requested (Ctrl-C, SIGTERM); after every epoch, its record, a checkpoint and
 * the run folder's per-epoch files; on a stop inside an epoch, the partial record and a checkpoint
 * at that iteration; at the end, the final figures. When the losses or the parameters turn
 * non-finite (NaN, infinity), it stops at once and writes nothing more: the run folder keeps the
 * last finite checkpoint and the metrics and figures that go with it. No console: what happens is
 * reported through callbacks and the returned outcome (the CLI prints them).
 */
import { curvesFigure } from '../figure-data.js';
import { interpolationFigure, nearestFigure, samplesFigure } from './figures.js';
import { RUN_FILES, saveCheckpoint, writeMetrics, writeRunFile } from './run-folder.js';
import { NonFiniteError, type NonFiniteReport } from '../train/non-finite.js';
import type { EpochRecord, ImageSet, ParzenRecord, ProgressInfo } from '../train/records.js';
import type { StopRequest } from './stop-request.js';
import type { GanTrainer } from '../train/trainer.js';

/** What `runTraining` needs: the trainer, the run folder, the data and the callbacks. */
export interface TrainingRunOptions {
  trainer: GanTrainer;
  /** The run folder (it exists). */
  dir: string;
  /** The training images (Figure 2 shows each sample's nearest one). */
  train: ImageSet;
  /** Checked before every iteration (a deadline, signals: StopRequest). */
  stop?: StopRequest;
  /** The Parzen estimate after an epoch, when config.parzenEvery divides its number. */
  parzen?: () => Promise<ParzenRecord>;
  /** Every logEvery iterations, with the statistics read back. */
  onProgress?: (p: ProgressInfo) => void;
  /** After an epoch (or, on a stop, its part), before its checkpoint. */
  onEpoch?: (record: EpochRecord) => void;
  /** The title of curves.svg. */
  title?: string;
}

/** How a training run ended: done, stopped or diverged, and its last records. */
export interface TrainingOutcome {
  /**
   * 'done': the configured epochs ran; 'stopped': a stop request (`stopReason` says which);
   * 'diverged': a non-finite loss or parameter (`diverged` says where; nothing was saved after it).
   */
  reason: 'done' | 'stopped' | 'diverged';
  stopReason: string | null;
  /** The epoch records, with the stopped epoch's partial record last (if any). */
  history: EpochRecord[];
  /** True when the last epoch recorded is partial. */
  stoppedInEpoch: boolean;
  /** Seconds spent on the final figures. */
  figureSeconds: number;
  diverged?: NonFiniteReport;
}

/** Runs the trainer from where it is (a fresh or a restored one); see the file comment. */
export async function runTraining(options: TrainingRunOptions): Promise<TrainingOutcome> {
  const { trainer, dir, stop } = options;
  const c = trainer.config;
  const shouldStop = () => stop?.requested ?? false;
  const writeEpochFiles = async (history: readonly EpochRecord[]) => {
    await writeMetrics(dir, history);
    await writeRunFile(dir, RUN_FILES.samples, await samplesFigure(trainer));
    await writeRunFile(dir, RUN_FILES.curves, curvesFigure(history, options.title ?? `GAN on MNIST (${c.preset})`));
  };

  let stoppedInEpoch = false;
  try {
    while (trainer.epoch < c.epochs && !shouldStop()) {
      const rec = await trainer.runEpoch({ shouldStop, onProgress: options.onProgress });
      if (!rec) {
        stoppedInEpoch = true;
        break;
      }
      if (options.parzen && c.parzenEvery > 0 && rec.epoch % c.parzenEvery === 0) rec.parzen = await options.parzen();
      options.onEpoch?.(rec);
      await saveCheckpoint(dir, trainer);
      await writeEpochFiles(trainer.history);
    }
  } catch (e) {
    if (!(e instanceof NonFiniteError)) throw e;
    return { reason: 'diverged', stopReason: stop?.reason ?? null, history: [...trainer.history], stoppedInEpoch: false, figureSeconds: 0, diverged: e.report };
  }

  const t = performance.now();
  const history = [...trainer.history];
  if (stoppedInEpoch) {
    const partial = await trainer.partialRecord();
    if (partial) {
      history.push(partial);
      options.onEpoch?.(partial);
    }
    await saveCheckpoint(dir, trainer);
  }
  await writeEpochFiles(history);
  await writeRunFile(dir, RUN_FILES.interpolation, await interpolationFigure(trainer));
  await writeRunFile(dir, RUN_FILES.nearest, await nearestFigure(trainer, { ...options.train, n: trainer.data.n }));
  const done = trainer.epoch >= c.epochs;
  return {
    reason: done && !stoppedInEpoch ? 'done' : 'stopped',
    stopReason: stop?.reason ?? null,
    history,
    stoppedInEpoch,
    figureSeconds: (performance.now() - t) / 1000,
  };
}
