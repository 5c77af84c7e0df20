/**
 * `gan train`: the flags and the preset, the device, the run folder and config.json, then
 * `runTraining` (run/training-run.ts) with the console around it: the progress bar, a summary
 * line per epoch, signals, and how the run ended.
 *
 * Everything the flags alone decide is checked before MNIST loads. The run folder is created with
 * its lock (run/run-lock.ts: one `gan train` per folder) once the flags are accepted, and removed again
 * if the command fails before writing anything in it: a refused command leaves nothing behind.
 * Exit codes: 0 done (or the --minutes budget reached), 2 a usage error, 3 the run diverged (the
 * last finite checkpoint kept), 128 + n after signal n (130 Ctrl-C, 143 SIGTERM) once the
 * checkpoint is written, 1 any other failure (the folder in use by another `gan train` too).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { constants } from 'node:os';
import { SaddleError, isWebGpu } from '@saddle/autograd';
import { MNIST_PIXELS, MNIST_SPLIT } from '../data/mnist.js';
import { loadMnist } from '../data/mnist-files.js';
import { DEFAULT_ADAM_BETAS, defaultPreset, preset, PRESET_NAMES, type GanConfig, type PresetName } from '../presets.js';
import { RUN_FILES, defaultRunName, loadCheckpoint, makeFolder, recordResume, removeLeftovers, removeRun, runFiles, writeConfig } from '../run/run-folder.js';
import { lockRun, removeIfEmpty, type RunLock } from '../run/run-lock.js';
import { NonFiniteError } from '../train/non-finite.js';
import { StopRequest } from '../run/stop-request.js';
import { GanTrainer } from '../train/trainer.js';
import { runTraining } from '../run/training-run.js';
import {
  CliError,
  FIXED_ON_RESUME,
  RESUME_CONFIG_KEYS,
  RESUME_MAY_CHANGE,
  TRAIN_FLAGS,
  USAGE,
  choiceFlag,
  configFromFlags,
  deviceReason,
  existingRun,
  parse,
  pickDevice,
  type CliIO,
  type Flags,
} from './flags.js';
import { describeDiscriminator, describeGenerator } from '../models.js';
import { mnistParzen } from './parzen.js';
import { countParams, progressReporter, summaryLine } from './report.js';

/** Time kept at the end of a --minutes budget for the final figures. */
const FIGURES_RESERVE_MS = 15_000;

/** Exit code of a run that diverged (NaN or infinity in the losses or parameters). */
export const EXIT_DIVERGED = 3;

/** The signals that stop training after the current iteration, with a checkpoint. */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** MNIST's split sizes against the config: refused here, before the data loads, rather than capped. */
function checkDataSizes(c: GanConfig): void {
  if (c.trainN !== null && c.trainN > MNIST_SPLIT.train) {
    throw new CliError(
      `--train-n ${c.trainN}: MNIST's training split has ${MNIST_SPLIT.train} images (the other 10 000 are validation); expected at most ${MNIST_SPLIT.train}`,
    );
  }
  if (c.valN > MNIST_SPLIT.validation)
    throw new CliError(`--val-n ${c.valN}: MNIST's validation split has ${MNIST_SPLIT.validation} images; expected at most ${MNIST_SPLIT.validation}`);
  const n = c.trainN ?? MNIST_SPLIT.train;
  const perIteration = c.batch * c.k;
  if (n < perIteration) {
    throw new CliError(
      `--batch ${c.batch}${c.k > 1 ? ` with --k ${c.k}` : ''} takes ${perIteration} training images per iteration; --train-n is ${n}: expected --train-n >= ${perIteration}`,
    );
  }
}

/**
 * Where a new run goes: refused if it is a file or its parent is missing; with `locked` (this
 * process holds the folder's lock), also if it holds a run (unless --force). The run files are
 * checked only under the lock: before it, a run another process is training there would be called
 * a finished one ("continue it with --resume") instead of being named as in use.
 */
function checkNewRunDir(dir: string, given: boolean, force: boolean, locked: boolean): void {
  const name = given ? `--out ${dir}` : `the run folder ${dir}`;
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new CliError(`${name} is a file; expected a folder (new or empty) for the run`);
  if (given && !existsSync(dirname(dir))) throw new CliError(`${name}: the folder ${dirname(dir)} does not exist; create it first`);
  if (given && existsSync(dirname(dir)) && !statSync(dirname(dir)).isDirectory()) throw new CliError(`${name}: ${dirname(dir)} is a file, not a folder`);
  if (!locked) return;
  const existing = runFiles(dir);
  if (existing.length && !force) {
    throw new CliError(
      `${name} already holds a run (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', ...' : ''}); continue it with --resume ${dir}, or replace it with --force`,
    );
  }
}

/**
 * Takes the run folder `dir` for this process (creating it if new): its lock (run-lock.ts) refuses
 * a second `gan train` on the folder while this one runs. `release()` gives it back and removes a
 * folder this call made if it is still empty.
 */
function takeRunFolder(dir: string, command: string, io: CliIO): { lock: RunLock; release: () => void } {
  const made = !existsSync(dir);
  makeFolder(dir, 'the run folder');
  let lock: RunLock;
  try {
    lock = lockRun(dir, command, (o) =>
      io.err(`gan: ${dir} was locked by process ${o.pid} on ${o.host} (\`${o.command}\`, since ${o.since}), which is no longer running: taking the lock over`),
    );
  } catch (e) {
    if (made) removeIfEmpty(dir);
    throw e;
  }
  return {
    lock,
    release: () => {
      lock.release();
      if (made) removeIfEmpty(dir);
    },
  };
}

/** The config keys a resume may change (flags.ts's table: --epochs, --minutes, --log-every, --parzen-every). */
const CHANGED_BY_RESUME = new Set<string>(RESUME_CONFIG_KEYS);

/**
 * Refuses to resume a folder whose config.json and checkpoint describe different runs (two
 * processes wrote there before the lock existed, or files were copied in by hand): the resumed run
 * would not be the one config.json records.
 */
function checkSameRun(dir: string, checkpointConfig: GanConfig): void {
  const path = resolve(dir, RUN_FILES.config);
  if (!existsSync(path)) return;
  let recorded: GanConfig;
  try {
    recorded = (JSON.parse(readFileSync(path, 'utf8')) as { config: GanConfig }).config;
  } catch (e) {
    throw new SaddleError('train', `cannot read ${path}: ${(e as Error).message}`);
  }
  const keys = [...new Set([...Object.keys(recorded ?? {}), ...Object.keys(checkpointConfig)])].filter((k) => !CHANGED_BY_RESUME.has(k));
  const differ = keys.filter(
    (k) =>
      JSON.stringify((recorded as unknown as Record<string, unknown>)?.[k]) !== JSON.stringify((checkpointConfig as unknown as Record<string, unknown>)[k]),
  );
  if (differ.length) {
    const show = (c: unknown, k: string) => JSON.stringify((c as Record<string, unknown>)?.[k]);
    throw new SaddleError(
      'train',
      `${dir} holds two runs: ${RUN_FILES.config} and the checkpoint disagree on ${differ
        .slice(0, 3)
        .map((k) => `${k} (${show(recorded, k)} vs ${show(checkpointConfig, k)})`)
        .join(
          ', ',
        )}${differ.length > 3 ? ` and ${differ.length - 3} more` : ''}; expected one run per folder: start a new run with --force, or restore the folder`,
    );
  }
}

export async function train(args: readonly string[], io: CliIO): Promise<number> {
  const { values: flags, positionals } = parse('train', args, TRAIN_FLAGS);
  if (flags.help) {
    io.out(USAGE);
    return 0;
  }
  // The run folder's lock, once taken (a usage error may come before), is released however this ends.
  const releases: Array<() => void> = [];
  try {
    return await trainHoldingTheFolder(args, flags, positionals, io, (h) => releases.push(h.release));
  } finally {
    for (const release of releases) release();
  }
}

async function trainHoldingTheFolder(
  args: readonly string[],
  flags: Flags,
  positionals: readonly string[],
  io: CliIO,
  hold: (h: { release: () => void }) => void,
): Promise<number> {
  const started = performance.now();
  const command = ['gan', 'train', ...args].join(' ');
  if (positionals.length) throw new CliError(`train: unexpected argument '${positionals[0]}' (did you mean --resume ${positionals[0]}?)`);
  const resumeDir = typeof flags.resume === 'string' ? existingRun(flags.resume) : null;
  if (resumeDir) {
    const fixed = FIXED_ON_RESUME.filter((f) => flags[f] !== undefined);
    if (fixed.length)
      throw new CliError(
        `--resume continues the run as it was configured; --${fixed[0]} cannot be changed (only ${RESUME_MAY_CHANGE.map((f) => `--${f}`).join(', ')})`,
      );
  }
  if (resumeDir && flags.force) throw new CliError('--force replaces a run and --resume continues one; give one of them');
  if (resumeDir) {
    hold(takeRunFolder(resumeDir, command, io));
    // With the lock held, whatever a killed writer left (temporary files, tensor files no
    // checkpoint names) is ours to remove.
    const gone = await removeLeftovers(resumeDir);
    if (gone.length) io.err(`gan: removed ${gone.length} file(s) an interrupted run left in ${resumeDir}: ${gone.join(', ')}`);
  }
  const presetFlag = choiceFlag<PresetName>(flags, 'preset', PRESET_NAMES);
  // Validate the flags before the (slow) device and data set-up.
  if (!resumeDir) checkDataSizes(configFromFlags(flags, preset(presetFlag ?? 'quick')));
  const outGiven = typeof flags.out === 'string';
  if (!resumeDir && outGiven) {
    const out = resolve(flags.out as string);
    checkNewRunDir(out, true, flags.force === true, false);
    hold(takeRunFolder(out, command, io));
    // With the lock held: a run there (finished, or interrupted) is refused unless --force.
    checkNewRunDir(out, true, flags.force === true, true);
  }

  const device = await pickDevice(flags);
  const software = isWebGpu(device) && device.software;
  const realGpu = isWebGpu(device) && !software;
  let config: GanConfig;
  let presetReason: string;
  const checkpoint = resumeDir ? await loadCheckpoint(resumeDir) : null;
  if (checkpoint) checkSameRun(resumeDir!, checkpoint.meta.config);
  if (checkpoint) {
    config = configFromFlags(flags, checkpoint.meta.config);
    presetReason = `resumed from ${resumeDir}`;
  } else {
    const auto = defaultPreset({ hardwareGpu: realGpu, software, kind: device.kind });
    presetReason = presetFlag ? '--preset' : auto.reason;
    config = configFromFlags(flags, preset(presetFlag ?? auto.name));
  }
  const dir = resumeDir ?? resolve(outGiven ? (flags.out as string) : `runs/${defaultRunName(config.preset)}`);
  if (!resumeDir) {
    checkDataSizes(config);
    checkNewRunDir(dir, outGiven, flags.force === true, outGiven);
    if (!outGiven) {
      hold(takeRunFolder(dir, command, io));
      checkNewRunDir(dir, outGiven, flags.force === true, true);
    }
  }

  const chosenBecause = deviceReason(flags, device);
  io.out(`device: ${device.name}${software ? ' (software adapter)' : ''} (${chosenBecause})`);
  io.out(`preset: ${config.preset} (${presetReason})`);
  io.out(`run folder: ${dir}`);
  const t = performance.now();
  const mnist = await loadMnist();
  io.out(`MNIST loaded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const trainImages = { images: mnist.train.images, n: mnist.train.n, d: MNIST_PIXELS };
  const validation = { images: mnist.validation.images, n: mnist.validation.n, d: MNIST_PIXELS };
  const trainer = new GanTrainer(config, trainImages, device, validation);
  try {
    if (checkpoint) {
      trainer.restore(checkpoint.tensors, checkpoint.meta);
      // config.json keeps how the run started; each resume gets a line of its own.
      await recordResume(dir, {
        command,
        device: device.name,
        deviceKind: device.kind,
        deviceReason: chosenBecause,
        softwareAdapter: software,
        resumedAt: { epoch: checkpoint.meta.epoch, iteration: checkpoint.meta.iterInEpoch },
        config: Object.fromEntries(RESUME_CONFIG_KEYS.map((k) => [k, config[k]])),
        startedAt: new Date().toISOString(),
        node: process.version,
      });
    } else {
      if (flags.force) await removeRun(dir);
      await writeConfig(dir, {
        preset: config.preset,
        presetReason,
        device: device.name,
        deviceKind: device.kind,
        deviceReason: chosenBecause,
        softwareAdapter: software,
        config,
        trainImages: trainer.data.n,
        iterationsPerEpoch: trainer.iterationsPerEpoch,
        parameters: { G: countParams(trainer.G.parameters()), D: countParams(trainer.D.parameters()) },
        command,
        startedAt: new Date().toISOString(),
        node: process.version,
      });
    }
    const c = config;
    io.out(
      `G ${describeGenerator(c.generator)} (${countParams(trainer.G.parameters())} parameters), ` +
        `D ${describeDiscriminator(c.discriminator)} (${countParams(trainer.D.parameters())} parameters); ` +
        `batch ${c.batch}, k ${c.k}, ${c.update}, ${c.gLoss} G loss, z ${c.zDist}` +
        (c.r1Gamma > 0 ? `, R1 gamma ${c.r1Gamma}${c.r1Every > 1 ? ` every ${c.r1Every} D steps` : ''}` : '') +
        (c.optimizer === 'adam' ? `, Adam (betas ${(c.adamBetas ?? DEFAULT_ADAM_BETAS).join(', ')})` : '') +
        `; ${trainer.iterationsPerEpoch} iterations per epoch` +
        (c.minutes ? `; budget ${c.minutes} min` : ''),
    );
    if (checkpoint) io.out(`resuming at epoch ${trainer.epoch + 1}, iteration ${trainer.iterInEpoch}`);

    // Stop conditions: the time budget (the whole command, keeping time for the final figures) and signals.
    const stop = new StopRequest();
    if (c.minutes) stop.stopAt(started + c.minutes * 60_000 - FIGURES_RESERVE_MS);
    stop.listen(STOP_SIGNALS, {
      onFirst: (signal) =>
        io.err(`\n${signal}: stopping after this iteration, then writing a checkpoint (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to quit at once)`),
    });
    const progress = progressReporter(io, c, () => trainer.totalIterations, io.progress ?? (process.stderr.isTTY === true && !flags['no-progress']));
    let outcome;
    try {
      outcome = await runTraining({
        trainer,
        dir,
        train: trainImages,
        stop,
        parzen: async () => {
          const p = await mnistParzen(trainer.sampler, c, mnist, device, { n: 10_000, seed: c.seed, testN: 10_000, speckle: true });
          return { mean: p.mean, stdErr: p.stdErr, sigma: p.sigma, specksPerSample: p.speckle!.specksPerImage };
        },
        onProgress: progress.onProgress,
        onEpoch: (rec) => {
          progress.stop();
          io.out(summaryLine(rec, c.epochs));
        },
      });
    } finally {
      progress.stop();
      stop.dispose();
    }

    if (outcome.reason === 'diverged') {
      io.err(`gan: ${new NonFiniteError(outcome.diverged!).message}`);
      const kept = existsSync(resolve(dir, RUN_FILES.checkpoint)) ? (await loadCheckpoint(dir)).meta : null;
      io.err(
        kept
          ? `the last finite checkpoint (${kept.iterInEpoch === 0 ? `after epoch ${kept.epoch}` : `epoch ${kept.epoch + 1}, iteration ${kept.iterInEpoch}`}) and the metrics and figures that go with it are kept in ${dir}`
          : `no checkpoint was written before it; ${dir} holds only config.json`,
      );
      io.err('try a smaller --lr in a new run (a resumed run would diverge again: runs are deterministic); --log-every 1 finds the exact iteration');
      return EXIT_DIVERGED;
    }
    const { history, stoppedInEpoch } = outcome;
    const iterations = history.reduce((a, r) => a + r.iterations, 0);
    const seconds = history.reduce((a, r) => a + r.seconds, 0);
    const interrupted = outcome.stopReason !== null && outcome.stopReason !== 'deadline';
    const why = interrupted ? 'interrupted' : trainer.epoch >= c.epochs ? `${c.epochs} epochs done` : `time budget of ${c.minutes} min`;
    io.out(
      `stopped (${why}): ${history.length} epoch(s)${stoppedInEpoch ? ' (the last partial)' : ''}, ${iterations} iterations, ` +
        `${(seconds / 60).toFixed(1)} min training (${iterations ? ((1000 * seconds) / iterations).toFixed(1) : '-'} ms/it), ` +
        `${((performance.now() - started) / 60_000).toFixed(1)} min in all (final figures ${outcome.figureSeconds.toFixed(1)} s)`,
    );
    io.out(`wrote ${dir}/{${Object.values(RUN_FILES).join(',')}}`);
    if (stoppedInEpoch || trainer.epoch < c.epochs) io.out(`continue with: pnpm gan train --resume ${dir}`);
    return interrupted ? 128 + (constants.signals[outcome.stopReason as NodeJS.Signals] ?? 0) : 0;
  } finally {
    trainer.dispose();
  }
}
