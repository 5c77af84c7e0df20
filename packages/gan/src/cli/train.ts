/**
 * `gan train`: the flags and the preset, the device, the run folder and config.json, then
 * `runTraining` (train/training-run.ts) with the console around it: the progress bar, a summary
 * line per epoch, Ctrl-C handling, and how the run ended.
 */
import { resolve } from 'node:path';
import { isWebGpu } from '@saddle/autograd';
import { MNIST_PIXELS } from '../data/mnist.js';
import { loadMnist } from '../data/mnist-files.js';
import { preset, PRESET_NAMES, type GanConfig, type PresetName } from '../presets.js';
import { RUN_FILES, defaultRunName, ensureRunDir, loadCheckpoint, writeConfig } from '../run-folder.js';
import { StopRequest } from '../train/stop-request.js';
import { GanTrainer } from '../train/trainer.js';
import { runTraining } from '../train/training-run.js';
import { CliError, FIXED_ON_RESUME, TRAIN_FLAGS, USAGE, choiceFlag, configFromFlags, deviceReason, existingRun, parse, pickDevice, type CliIO } from './flags.js';
import { mnistParzen } from './parzen.js';
import { countParams, progressReporter, summaryLine } from './report.js';

/** Time kept at the end of a --minutes budget for the final figures. */
const FIGURES_RESERVE_MS = 15_000;

export async function train(args: readonly string[], io: CliIO): Promise<number> {
  const started = performance.now();
  const { values: flags, positionals } = parse('train', args, TRAIN_FLAGS);
  if (flags.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length) throw new CliError(`train: unexpected argument '${positionals[0]}' (did you mean --resume ${positionals[0]}?)`);
  const resumeDir = typeof flags.resume === 'string' ? existingRun(flags.resume) : null;
  if (resumeDir) {
    const fixed = FIXED_ON_RESUME.filter((f) => flags[f] !== undefined);
    if (fixed.length) throw new CliError(`--resume continues the run as it was configured; --${fixed[0]} cannot be changed (only --epochs, --minutes, --log-every, --device, --parzen-every)`);
  }
  const presetFlag = choiceFlag<PresetName>(flags, 'preset', PRESET_NAMES);
  // Validate the flags before the (slow) device and data set-up.
  if (!resumeDir) configFromFlags(flags, preset(presetFlag ?? 'quick'));

  const device = await pickDevice(flags);
  const software = isWebGpu(device) && device.software;
  const realGpu = isWebGpu(device) && !software;
  let config: GanConfig;
  let presetReason: string;
  const checkpoint = resumeDir ? await loadCheckpoint(resumeDir) : null;
  if (checkpoint) {
    config = configFromFlags(flags, checkpoint.meta.config);
    presetReason = `resumed from ${resumeDir}`;
  } else {
    const name = presetFlag ?? (realGpu ? 'paper' : 'quick');
    presetReason = presetFlag
      ? '--preset'
      : realGpu
        ? 'a GPU was found: the paper configuration'
        : `no hardware GPU (${software ? 'software adapter' : `${device.kind} device`}): the quick preset`;
    config = configFromFlags(flags, preset(name));
  }
  const dir = resumeDir ?? resolve(typeof flags.out === 'string' ? flags.out : `runs/${defaultRunName(config.preset)}`);
  await ensureRunDir(dir);

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
    if (checkpoint) trainer.restore(checkpoint.tensors, checkpoint.meta);
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
      command: ['gan', 'train', ...args].join(' '),
      startedAt: new Date().toISOString(),
      resumedAt: checkpoint ? { epoch: checkpoint.meta.epoch, iteration: checkpoint.meta.iterInEpoch } : undefined,
      node: process.version,
    });
    const c = config;
    io.out(
      `G ${[c.generator.zDim, ...c.generator.hidden, c.generator.outDim].join('-')} (${countParams(trainer.G.parameters())} parameters), ` +
        `D maxout ${c.discriminator.units.map((u) => `${u}x${c.discriminator.pieces}`).join('-')} (${countParams(trainer.D.parameters())} parameters); ` +
        `batch ${c.batch}, k ${c.k}, ${c.update}, ${c.gLoss} G loss, z ${c.zDist}; ${trainer.iterationsPerEpoch} iterations per epoch` +
        (c.minutes ? `; budget ${c.minutes} min` : ''),
    );
    if (checkpoint) io.out(`resuming at epoch ${trainer.epoch + 1}, iteration ${trainer.iterInEpoch}`);

    // Stop conditions: the time budget (the whole command, keeping time for the final figures) and Ctrl-C.
    const stop = new StopRequest();
    if (c.minutes) stop.stopAt(started + c.minutes * 60_000 - FIGURES_RESERVE_MS);
    stop.listen(['SIGINT'], { onFirst: () => io.err('\nstopping after this iteration (Ctrl-C again to quit at once)') });
    const progress = progressReporter(io, c, () => trainer.totalIterations, io.progress ?? (process.stderr.isTTY === true && !flags['no-progress']));
    let outcome;
    try {
      outcome = await runTraining({
        trainer,
        dir,
        train: trainImages,
        stop,
        parzen: async () => {
          const p = await mnistParzen(trainer.G, c, mnist, device, { n: 10_000, seed: c.seed, testN: 10_000 });
          return { mean: p.mean, stdErr: p.stdErr, sigma: p.sigma };
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
    return 0;
  } finally {
    trainer.dispose();
  }
}
