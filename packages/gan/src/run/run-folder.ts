/**
 * A training run's folder (runs/<name>/):
 *
 *   config.json          the configuration, the device and preset used (and why), the command line
 *                        (written once, when the run starts; never rewritten by a resume)
 *   resumes.jsonl        one JSON line per `--resume`: its command line, device, position, time
 *   metrics.jsonl        one JSON line per epoch (EpochRecord)
 *   samples.png          10 x 10 samples, rewritten every epoch
 *   curves.svg           losses, D's outputs, V(D, G), Parzen: rewritten every epoch
 *   interpolation.png    Figure 3, at the end
 *   nearest.png          Figure 2, at the end
 *   checkpoint.json      the trainer's state (epoch, counters, RNG states, history) and the name of
 *   checkpoint-*.safetensors   the tensors file it goes with (parameters, velocities, accumulators)
 *   train.lock           while a `gan train` writes here: its pid, host, command (run-lock.ts)
 *
 * Every file is written atomically (temporary file, fsync, rename). A checkpoint is two files: the
 * tensors go to a new file named after the position (epoch and iteration), then checkpoint.json is
 * replaced to point at it, then the previous tensors file is deleted. A crash at any moment leaves
 * checkpoint.json pointing at a complete tensors file: the old one or the new one.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { readFile, rm, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Generator, SaddleError, type Device } from '@saddle/autograd';
import { checkLoadedTensors, loadSafetensors, saveSafetensors, type LoadOptions } from '@saddle/nn';
import { asFileSystemError, writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { GeneratorNet } from '../models.js';
import type { GanConfig } from '../presets.js';
import { LOCK_FILE, processAlive } from './run-lock.js';
import { EMA_PREFIX, nonFiniteTensors, withPrefix, type TrainerSnapshot, type TrainerState } from '../train/checkpoint-state.js';
import type { EpochRecord } from '../train/records.js';

/** The files a run folder holds. */
export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  samples: 'samples.png',
  curves: 'curves.svg',
  interpolation: 'interpolation.png',
  nearest: 'nearest.png',
  checkpoint: 'checkpoint.json',
} as const;

/** What each run file is, for error messages (`cannot write the samples figure (<path>): ...`). */
const RUN_FILE_WHAT: Record<string, string> = {
  [RUN_FILES.config]: 'the run configuration',
  [RUN_FILES.metrics]: 'the metrics log',
  [RUN_FILES.samples]: 'the samples figure',
  [RUN_FILES.curves]: 'the curves figure',
  [RUN_FILES.interpolation]: 'the interpolation figure',
  [RUN_FILES.nearest]: 'the nearest-neighbour figure',
  [RUN_FILES.checkpoint]: 'the checkpoint',
};

/** One line per resume of the run (kept apart from config.json, which records how it started). */
export const RESUMES_FILE = 'resumes.jsonl';

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

/**
 * Creates folder `dir` (`what` it is, for errors) and its missing parents, one level at a time:
 * Node's recursive mkdir reports a read-only parent as ENOENT. A failure is a FileSystemError
 * naming the folder and what to do (`... is on a read-only file system (EROFS); choose ...`).
 */
export function makeFolder(dir: string, what = 'the folder'): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir && !existsSync(parent)) makeFolder(parent);
  try {
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw asFileSystemError(e, 'create', dir, what);
  }
}

/** The files of a run in `dir` (what `gan train` and `gan eval` write there); empty if none or no folder. */
export function runFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const ours = new Set<string>([...Object.values(RUN_FILES), RESUMES_FILE, 'parzen.json']);
  return readdirSync(dir)
    .filter((f) => ours.has(f) || /^checkpoint-.*\.safetensors$/.test(f))
    .sort();
}

/**
 * Deletes the run in `dir` (only its own files, `runFiles`, and the temporary files a killed writer
 * left, `leftoverFiles`); other files and the folder stay. checkpoint.json goes first: a process
 * killed half way leaves no checkpoint pointing at removed tensors, nor one of the old run beside
 * a new config.json.
 */
export async function removeRun(dir: string): Promise<void> {
  const files = [...runFiles(dir), ...leftoverFiles(dir)].sort((a, b) => Number(b === RUN_FILES.checkpoint) - Number(a === RUN_FILES.checkpoint));
  for (const f of files) await rm(join(dir, f), { force: true });
}

/** `.<name>.<pid>.<random>.tmp`: a temporary file of an atomic write (nn's tempPathFor), with the writer's pid. */
const TEMP_FILE = /^\.(.+)\.(\d+)\.[0-9a-f]+\.tmp$/;

/**
 * Temporary files in `dir` that a killed writer of this run left: those of the run's own files
 * (and of train.lock) whose writing process is no longer running. A write in progress by a live
 * process (a `gan eval` writing parzen.json) is not one.
 */
export function leftoverFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const ours = new Set<string>([...Object.values(RUN_FILES), RESUMES_FILE, 'parzen.json', LOCK_FILE]);
  return readdirSync(dir)
    .filter((f) => {
      const m = TEMP_FILE.exec(f);
      if (!m) return false;
      const [, target, pid] = m;
      return (ours.has(target!) || /^checkpoint-.*\.safetensors$/.test(target!)) && !processAlive(Number(pid));
    })
    .sort();
}

/** Tensor files `checkpoint-*.safetensors` that checkpoint.json does not name (a save cut short by a kill). */
export async function orphanCheckpoints(dir: string): Promise<string[]> {
  const pointerPath = join(dir, RUN_FILES.checkpoint);
  let current: string | null = null;
  try {
    current = (JSON.parse(await readFile(pointerPath, 'utf8')) as CheckpointPointer).tensors ?? null;
  } catch {
    // No checkpoint, or a damaged one: then no tensor file is known to be an orphan.
    return [];
  }
  return runFiles(dir).filter((f) => /^checkpoint-.*\.safetensors$/.test(f) && f !== current);
}

/**
 * Before a resume (with the run's lock held): removes what a killed writer left behind, the
 * temporary files of interrupted writes and tensor files no checkpoint names. Returns their names.
 */
export async function removeLeftovers(dir: string): Promise<string[]> {
  const gone = [...leftoverFiles(dir), ...(await orphanCheckpoints(dir))];
  for (const f of gone) await rm(join(dir, f), { force: true });
  return gone;
}

/** Appends a line to the run's resumes.jsonl (the file is rewritten atomically). */
export async function recordResume(dir: string, entry: object): Promise<void> {
  const path = join(dir, RESUMES_FILE);
  const before = existsSync(path) ? await readFile(path, 'utf8') : '';
  await writeFileAtomic(path, before + JSON.stringify(entry) + '\n', 'the resume log');
}

/** metrics.jsonl, rewritten whole from the history (so it always matches the checkpoint). */
export async function writeMetrics(dir: string, history: readonly EpochRecord[]): Promise<void> {
  await writeFileAtomic(join(dir, RUN_FILES.metrics), history.map((r) => JSON.stringify(r) + '\n').join(''), RUN_FILE_WHAT[RUN_FILES.metrics]);
}

/** The epoch records of the run in `dir` (metrics.jsonl). */
export async function readMetrics(dir: string): Promise<EpochRecord[]> {
  const text = await readFile(join(dir, RUN_FILES.metrics), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EpochRecord);
}

/** Writes the file `name` of the run in `dir`, atomically. */
export async function writeRunFile(dir: string, name: string, data: Uint8Array | string): Promise<void> {
  await writeFileAtomic(join(dir, name), data, RUN_FILE_WHAT[name]);
}

/** Writes config.json of the run in `dir`, atomically. */
export async function writeConfig(dir: string, config: unknown): Promise<void> {
  await writeJsonAtomic(join(dir, RUN_FILES.config), config, RUN_FILE_WHAT[RUN_FILES.config]);
}

interface CheckpointPointer {
  tensors: string;
  state: TrainerState;
}

/**
 * Saves the trainer's full state into `dir` (see the file comment for the write order). Refuses,
 * writing nothing, when a tensor holds a NaN or an infinity: the last finite checkpoint stays.
 */
export async function saveCheckpoint(dir: string, trainer: { state(): Promise<TrainerSnapshot> }): Promise<string> {
  const { tensors, meta } = await trainer.state();
  const bad = nonFiniteTensors(tensors);
  if (bad.length) {
    throw new SaddleError(
      'checkpoint',
      `not saved: ${bad.slice(0, 4).join(', ')}${bad.length > 4 ? ` and ${bad.length - 4} more` : ''} hold non-finite values; ${dir} keeps its last checkpoint`,
    );
  }
  const pointerPath = join(dir, RUN_FILES.checkpoint);
  const previous = existsSync(pointerPath) ? (JSON.parse(await readFile(pointerPath, 'utf8')) as CheckpointPointer).tensors : null;
  const name = `checkpoint-e${String(meta.epoch).padStart(4, '0')}-i${String(meta.iterInEpoch).padStart(6, '0')}.safetensors`;
  await saveSafetensors(
    join(dir, name),
    tensors,
    { format: 'saddle-gan-trainer', epoch: String(meta.epoch), iterInEpoch: String(meta.iterInEpoch) },
    "the checkpoint's tensors",
  );
  await writeJsonAtomic(pointerPath, { tensors: name, state: meta } satisfies CheckpointPointer, RUN_FILE_WHAT[RUN_FILES.checkpoint]);
  if (previous && previous !== name) await unlink(join(dir, previous)).catch(() => undefined);
  return join(dir, name);
}

/**
 * Reads the checkpoint of the run in `dir`. Every tensor of a trainer is f32 and finite (a
 * non-finite one is never saved): other dtypes and NaN or infinities are refused, naming the file
 * and the tensor, unless `options` allow them (`convertDtypes`: the trainer converts to f32).
 */
export async function loadCheckpoint(dir: string, options: LoadOptions = {}): Promise<TrainerSnapshot> {
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
  const tensorsPath = join(dir, pointer.tensors);
  const { tensors } = await loadSafetensors(tensorsPath);
  checkLoadedTensors('checkpoint', tensors, tensorsPath, () => 'f32', options);
  return { tensors, meta: pointer.state };
}

/** G from the checkpoint of the run in `dir`, with the run's config and position. */
export async function loadGenerator(
  dir: string,
  device: Device,
): Promise<{ G: GeneratorNet; config: GanConfig; epoch: number; iterInEpoch: number; averaged: boolean }> {
  const { tensors, meta } = await loadCheckpoint(dir);
  const G = new GeneratorNet(meta.config.generator, { device, init: new Generator(0) });
  // A run with config.gEma draws its samples from the averaged G (the trainer's sampler).
  const averaged = Boolean(meta.config.gEma);
  try {
    G.loadStateDict(withPrefix(tensors, averaged ? EMA_PREFIX : 'G.'));
  } catch (e) {
    G.dispose();
    throw e;
  }
  return { G, config: meta.config, epoch: meta.epoch, iterInEpoch: meta.iterInEpoch, averaged };
}
