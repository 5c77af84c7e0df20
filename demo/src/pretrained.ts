/**
 * The pre-trained start (issue 24, point 3): a small GAN trained by `pnpm gan train` on this
 * machine's CPU, checked into demo/public/pretrained/ so a learner sees digits at once and can
 * train on from there. The file holds the two players' weights only (no momentum, statistics or
 * RNG state, to keep it under 2 MB): G's are the run's sampler (the moving average of G's weights
 * when the run kept one), D's the run's D; its metadata holds the run's config (without the
 * average: the page trains G itself from those weights) and how far the run went. Loaded, the
 * trainer starts a fresh epoch at the run's iteration count, momentum at zero.
 *
 * demo/scripts/pretrained.ts writes it from a run folder; it says which run made the file in the repo.
 */
import { SaddleError } from '@saddle/autograd';
import { decodeSafetensors, encodeSafetensors, type SafeTensors } from '@saddle/nn';
import { EMA_PREFIX, withPrefix, validateConfig, type GanConfig, type GanTrainer, type TrainerSnapshot } from '@saddle/gan';

/** The file, relative to the page. */
export const PRETRAINED_PATH = 'pretrained/gan-mnist-small.safetensors';

const FORMAT = 'saddle-gan-weights';

/** What the file holds besides the tensors. */
export interface PretrainedInfo {
  config: GanConfig;
  /** Iterations and epochs the run trained. */
  totalIterations: number;
  epoch: number;
  /** How the run was made (the command), for the page's status line. */
  made: string;
}

/** The weights file of a trainer's snapshot (a run folder's checkpoint): G's sampler and D, with `made` said. */
export function encodePretrained(snapshot: TrainerSnapshot, made: string): Uint8Array {
  const { tensors, meta } = snapshot;
  const sampler = meta.config.gEma ? EMA_PREFIX : 'G.';
  const out: SafeTensors = {};
  for (const [name, t] of Object.entries(withPrefix(tensors, sampler))) out[`G.${name}`] = t;
  for (const [name, t] of Object.entries(withPrefix(tensors, 'D.'))) out[`D.${name}`] = t;
  const config: GanConfig = { ...structuredClone(meta.config), gEma: 0 };
  const info: PretrainedInfo = { config, totalIterations: meta.totalIterations, epoch: meta.epoch, made };
  return encodeSafetensors(out, { format: FORMAT, info: JSON.stringify(info) });
}

/** The weights and info of a file `encodePretrained` wrote; a SaddleError naming `source` otherwise. */
export function decodePretrained(bytes: Uint8Array, source: string): { tensors: SafeTensors; info: PretrainedInfo } {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  if (metadata?.format !== FORMAT || !metadata.info)
    throw new SaddleError('load', `${source} is not a pre-trained GAN (format ${String(metadata?.format)}; expected ${FORMAT})`);
  const info = JSON.parse(metadata.info) as PretrainedInfo;
  validateConfig(structuredClone(info.config));
  return { tensors, info };
}

/** Puts the file's weights into `trainer` (built with `info.config`) and moves it to the run's iteration count. */
export function loadPretrained(trainer: GanTrainer, tensors: SafeTensors, info: PretrainedInfo, source: string): void {
  trainer.G.loadStateDict(withPrefix(tensors, 'G.'), source);
  trainer.D.loadStateDict(withPrefix(tensors, 'D.'), source);
  trainer.totalIterations = info.totalIterations;
  trainer.epoch = info.epoch;
}
