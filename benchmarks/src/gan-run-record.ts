/**
 * The record of a GAN training run (what issue 4 asks of every long run: device, commit, date,
 * epochs, wall and iteration time, the Parzen estimate), built from what a run folder holds (its
 * config.json, its epochs, its parzen.json). Written by record-gan-run.ts for a `pnpm gan train`
 * run folder and by gpu-run.ts for the GPU host's one-command run.
 */
import type { EpochRecord, GanConfig } from '@saddle/gan';

/** The fields of a run folder's config.json the record reads. */
export interface RunMeta {
  device: string;
  deviceKind?: string;
  softwareAdapter: boolean;
  preset: string;
  presetReason?: string;
  config: GanConfig;
}

/** The fields of a run's parzen.json (`gan eval`) the record reads. */
export interface ParzenFile {
  mean: number;
  stdErr: number;
  sigma: number;
  samples: number;
  testImages: number;
  validationImages: number;
  seconds: number;
  /** The samples' speckle (gan eval since the speckle metric), and MNIST's own for reference. */
  speckle?: { specksPerImage: number; imagesWithSpecks: number };
  mnistValidationSpeckle?: { specksPerImage: number };
}

export interface RecordInput {
  run: string;
  meta: RunMeta;
  epochs: readonly EpochRecord[];
  parzen: ParzenFile | null;
  commit: string;
  dirty: boolean | null;
  what: string;
  wallSeconds?: number | null;
  looks?: string | null;
  note?: string | null;
}

/** 'lavapipe', 'software', 'cpu', 'wasm' or 'gpu': the adapter part of a record's file name. */
export function adapterKind(meta: Pick<RunMeta, 'softwareAdapter' | 'device' | 'deviceKind'>): string {
  if (meta.softwareAdapter) return /llvmpipe|lavapipe/i.test(meta.device) ? 'lavapipe' : 'software';
  if (meta.deviceKind === 'cpu' || meta.deviceKind === 'wasm') return meta.deviceKind;
  return 'gpu';
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function ganRunRecord(r: RecordInput) {
  const { meta, epochs, parzen } = r;
  const iterations = epochs.reduce((a, e) => a + e.iterations, 0);
  const trainingSeconds = epochs.reduce((a, e) => a + e.seconds, 0);
  const last = epochs.at(-1);
  const c = meta.config;
  return {
    what: r.what,
    run: r.run,
    device: meta.device,
    softwareAdapter: meta.softwareAdapter,
    preset: meta.preset,
    presetReason: meta.presetReason,
    commit: r.commit,
    dirty: r.dirty,
    date: new Date().toISOString(),
    node: process.version,
    config: c,
    epochs: epochs.length,
    lastEpochPartial: Boolean(last?.partial),
    iterations,
    examplesSeen: iterations * c.batch * (c.update === 'alternating' ? c.k : 1),
    trainingSeconds: round1(trainingSeconds),
    wallSeconds: r.wallSeconds ?? null,
    msPerIteration: iterations ? Math.round((10_000 * trainingSeconds) / iterations) / 10 : null,
    final: last ? { dLoss: last.dLoss, gLoss: last.gLoss, dReal: last.dReal, dFake: last.dFake, valueOnValidation: last.value } : null,
    perEpoch: epochs.map((e) => ({
      epoch: e.epoch,
      iterations: e.iterations,
      partial: Boolean(e.partial),
      dLoss: e.dLoss,
      gLoss: e.gLoss,
      dReal: e.dReal,
      dFake: e.dFake,
      value: e.value,
      msPerIteration: round1(e.msPerIteration),
      ...(e.parzen ? { parzen: e.parzen } : {}),
    })),
    parzen: parzen
      ? {
          mean: parzen.mean,
          stdErr: parzen.stdErr,
          sigma: parzen.sigma,
          samples: parzen.samples,
          testImages: parzen.testImages,
          validationImages: parzen.validationImages,
          evalSeconds: parzen.seconds,
          ...(parzen.speckle
            ? {
                specksPerSample: parzen.speckle.specksPerImage,
                samplesWithSpecks: parzen.speckle.imagesWithSpecks,
                mnistValidationSpecksPerImage: parzen.mnistValidationSpeckle?.specksPerImage ?? null,
              }
            : {}),
          paper: 'Table 1, GAN: 225 +- 2',
        }
      : null,
    samplesLookLike: r.looks ?? null,
    note: r.note ?? null,
  };
}
