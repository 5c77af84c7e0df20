/**
 * What training reports: the running statistics read back from the device, one line of
 * metrics.jsonl per epoch, and what the epoch loop tells its caller as it goes.
 */

/** Images as n x d floats in [0, 1], row-major. */
export interface ImageSet {
  images: Float32Array;
  n: number;
  d: number;
}

/** Mean statistics over the iterations of (part of) an epoch. */
export interface RunningStats {
  /** D's loss, 0.5 [CE(1, D(x)) + CE(0, D(G(z)))], mean over D steps. */
  dLoss: number;
  /** G's loss (as configured), mean over G steps. */
  gLoss: number;
  /** Mean D(x) on the training minibatches (with dropout). */
  dReal: number;
  /** Mean D(G(z)) in the D steps. */
  dFake: number;
  dSteps: number;
  gSteps: number;
}

/** A Parzen estimate recorded after an epoch. */
export interface ParzenRecord {
  mean: number;
  stdErr: number;
  sigma: number;
  /** Specks per sample among the same samples (metrics/speckle.ts), when measured. */
  specksPerSample?: number;
}

/** One line of metrics.jsonl. */
export interface EpochRecord extends RunningStats {
  /** 1-based: the epoch just completed. */
  epoch: number;
  iterations: number;
  /** V(D, G) of Eq. (1) on the validation images (D and G in eval mode), or null if not computed. */
  value: number | null;
  lrD: number;
  lrG: number;
  /** SGD's momentum; with `optimizer: 'adam'`, Adam's beta1 (its first moment's decay). */
  momentum: number;
  /** Wall time of the epoch's training iterations. */
  seconds: number;
  msPerIteration: number;
  parzen?: ParzenRecord;
  /** Set when training stopped inside this epoch (time budget, Ctrl-C): statistics cover part of it. */
  partial?: boolean;
}

/** Where training is, for progress bars: epoch, iteration, the latest statistics. */
export interface ProgressInfo {
  epoch: number;
  iterInEpoch: number;
  iterationsPerEpoch: number;
  stats: RunningStats;
}
