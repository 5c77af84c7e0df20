/**
 * A training run's folder (runs/<name>/):
 *
 *   config.json          the configuration, the device and preset used (and why), the command line
 *   metrics.jsonl        one JSON line per epoch (EpochRecord)
 *   samples.png          10 x 10 samples, rewritten every epoch
 *   curves.svg           losses, D's outputs, V(D, G), Parzen: rewritten every epoch
 *   interpolation.png    Figure 3, at the end
 *   nearest.png          Figure 2, at the end
 *   checkpoint.json      the trainer's state (epoch, counters, RNG states, history) and the name of
 *   checkpoint-*.safetensors   the tensors file it goes with (parameters, velocities, accumulators)
 *
 * Every file is written atomically (temporary file, fsync, rename). A checkpoint is two files: the
 * tensors go to a new file named after the position (epoch and iteration), then checkpoint.json is
 * replaced to point at it, then the previous tensors file is deleted. A crash at any moment leaves
 * checkpoint.json pointing at a complete tensors file: the old one or the new one.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { Generator, SaddleError, type Device } from '@saddle/autograd';
import { loadSafetensors, saveSafetensors } from '@saddle/nn';
import { writeFileAtomic, writeJsonAtomic } from './io/atomic.js';
import { GeneratorNet } from './models.js';
import type { GanConfig } from './presets.js';
import { withPrefix, type TrainerSnapshot, type TrainerState } from './train/checkpoint-state.js';
import type { EpochRecord } from './train/records.js';

export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  samples: 'samples.png',
  curves: 'curves.svg',
  interpolation: 'interpolation.png',
  nearest: 'nearest.png',
  checkpoint: 'checkpoint.json',
} as const;

/** The default folder that holds runs (relative to the working directory). */
export const RUNS_ROOT = 'runs';

/** A name for a new run: `<preset>-<UTC date>-<time>`. */
export function defaultRunName(preset: string, now = new Date()): string {
  const iso = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `${preset}-${iso.replace('T', '-')}`;
}

/**
 * The folder of run `run`: the path itself if it is absolute or exists, else runs/<run>.
 * With `mustExist`, throws if it holds no checkpoint.
 */
export function resolveRunDir(run: string, options: { root?: string; mustExist?: boolean } = {}): string {
  const root = options.root ?? RUNS_ROOT;
  const dir = isAbsolute(run) || existsSync(run) ? resolve(run) : resolve(root, run);
  if (options.mustExist && !existsSync(join(dir, RUN_FILES.checkpoint))) {
    throw new SaddleError('run', `${dir} has no ${RUN_FILES.checkpoint}; expected the folder of a run written by \`gan train\` (or its name under ${root}/)`);
  }
  return dir;
}

export async function ensureRunDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

/** metrics.jsonl, rewritten whole from the history (so it always matches the checkpoint). */
export async function writeMetrics(dir: string, history: readonly EpochRecord[]): Promise<void> {
  await writeFileAtomic(join(dir, RUN_FILES.metrics), history.map((r) => JSON.stringify(r) + '\n').join(''));
}

export async function readMetrics(dir: string): Promise<EpochRecord[]> {
  const text = await readFile(join(dir, RUN_FILES.metrics), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EpochRecord);
}

export async function writeRunFile(dir: string, name: string, data: Uint8Array | string): Promise<void> {
  await writeFileAtomic(join(dir, name), data);
}

export async function writeConfig(dir: string, config: unknown): Promise<void> {
  await writeJsonAtomic(join(dir, RUN_FILES.config), config);
}

interface CheckpointPointer {
  tensors: string;
  state: TrainerState;
}

/** Saves the trainer's full state into `dir` (see the file comment for the write order). */
export async function saveCheckpoint(dir: string, trainer: { state(): Promise<TrainerSnapshot> }): Promise<string> {
  const { tensors, meta } = await trainer.state();
  const pointerPath = join(dir, RUN_FILES.checkpoint);
  const previous = existsSync(pointerPath) ? (JSON.parse(await readFile(pointerPath, 'utf8')) as CheckpointPointer).tensors : null;
  const name = `checkpoint-e${String(meta.epoch).padStart(4, '0')}-i${String(meta.iterInEpoch).padStart(6, '0')}.safetensors`;
  await saveSafetensors(join(dir, name), tensors, { format: 'saddle-gan-trainer', epoch: String(meta.epoch), iterInEpoch: String(meta.iterInEpoch) });
  await writeJsonAtomic(pointerPath, { tensors: name, state: meta } satisfies CheckpointPointer);
  if (previous && previous !== name) await unlink(join(dir, previous)).catch(() => undefined);
  return join(dir, name);
}

/** Reads the checkpoint of the run in `dir`. */
export async function loadCheckpoint(dir: string): Promise<TrainerSnapshot> {
  const pointerPath = join(dir, RUN_FILES.checkpoint);
  let pointer: CheckpointPointer;
  try {
    pointer = JSON.parse(await readFile(pointerPath, 'utf8')) as CheckpointPointer;
  } catch (e) {
    throw new SaddleError('checkpoint', `cannot read ${pointerPath}: ${(e as Error).message}`);
  }
  if (!pointer || typeof pointer.tensors !== 'string' || !pointer.state || pointer.state.format !== 'saddle-gan-trainer') {
    throw new SaddleError('checkpoint', `${pointerPath} is not a saddle GAN checkpoint`);
  }
  const { tensors } = await loadSafetensors(join(dir, pointer.tensors));
  return { tensors, meta: pointer.state };
}

/** G from the checkpoint of the run in `dir`, with the run's config and position. */
export async function loadGenerator(dir: string, device: Device): Promise<{ G: GeneratorNet; config: GanConfig; epoch: number; iterInEpoch: number }> {
  const { tensors, meta } = await loadCheckpoint(dir);
  const G = new GeneratorNet(meta.config.generator, { device, init: new Generator(0) });
  try {
    G.loadStateDict(withPrefix(tensors, 'G.'));
  } catch (e) {
    G.dispose();
    throw e;
  }
  return { G, config: meta.config, epoch: meta.epoch, iterInEpoch: meta.iterInEpoch };
}
