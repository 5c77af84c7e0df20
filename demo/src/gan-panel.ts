/**
 * The MNIST GAN, training live: Algorithm 1 of the paper with @saddle/gan's GanTrainer, on the
 * page's device. MNIST comes from the page's own server (./mnist-fetch.ts: gzip-packed files, kept
 * in the browser's cache) and is fetched while the page is still choosing its device.
 *
 * The loop runs the trainer's epoch in slices of about 100 ms (`runEpoch` with a `shouldStop`),
 * then yields to the page: it redraws the 10 x 10 grid from a fixed z, adds a point to the curves
 * (the means over the slice's iterations: losses, D(x), D(G(z))) and, about once a second,
 * V(D, G) on the validation images. With "G's gradient" ticked, each redraw also draws, for the
 * same z, −∂L_G/∂x for every generated pixel (./generator-gradient.ts): red where G's loss pushes
 * the pixel brighter, blue darker, GAN Lab's view of the generator's gradients.
 *
 * Never a silent wait: a job that runs past half a second shows what it is doing and for how long
 * (the first iteration on a GPU compiles every kernel: minutes on a software GPU). Pause and a
 * preset switch stop the slice in progress. The update order, G's loss, each player's learning
 * rate and k (D steps, G steps per iteration), and which players train (both, D only, G only) are
 * live: `GanTrainer.setLive` takes them at the next iteration (the page's handlers run between two
 * iterations: the trainer yields every 20 ms), and a value out of range is refused beside the boxes
 * (the toy's rule: the last valid value stays). "Start from a trained model" loads a small GAN
 * trained by `pnpm gan train` (./pretrained.ts). it/s is measured by the wall clock over the last few seconds of
 * training, drawing included.
 */
import { Generator, keep, type Device, type Tensor } from '@saddle/autograd';
import {
  chartGrid,
  describeDiscriminator,
  describeGenerator,
  GanTrainer,
  GENERATOR_LOSSES,
  interpolationImages,
  preset,
  PRESET_NAMES,
  UPDATE_MODES,
  type GanConfig,
  type GeneratorLossKind,
  type LiveSettings,
  type Mnist,
  type Players,
  type PresetName,
  type Series,
  type UpdateMode,
} from '@saddle/gan';
import { $, diverging, drawGrid, guarded, options } from './dom.js';
import { readBox, type NumberBox } from './number-box.js';
import { PRETRAINED_PATH, decodePretrained, loadPretrained } from './pretrained.js';
import { generatorPixelGradient } from './generator-gradient.js';
import { decodeSnapshot, encodeSnapshot } from './checkpoint-files.js';
import { fetchMnistPacked } from './mnist-fetch.js';
import { Progress } from './progress.js';
import { SliceMeanTracker, WallClockRate, nextSliceSize, trainSlice, type Slice } from './training-slices.js';

/** A curve point: the iteration count, then the value. */
type Point = [number, number];

export interface GanPanelState {
  iterations: number;
  /** Points per curve (dLoss, gLoss, dReal, dFake, value). */
  curves: Record<'dLoss' | 'gLoss' | 'dReal' | 'dFake' | 'value', Point[]>;
  /** Sample-grid redraws so far. */
  redraws: number;
  /** Iterations per second of wall-clock time over the last few seconds of training (0 when not training). */
  itersPerSecond: number;
  running: boolean;
  ready: boolean;
  interpolated: boolean;
  /** Gradient-view redraws so far, and the last one's largest |∂L_G/∂x| (its colour scale). */
  gradDraws: number;
  gradScale: number;
  /** The preset of the trainer in use, and its live update order and G loss. */
  preset: string;
  update: UpdateMode;
  gLoss: GeneratorLossKind;
  /** The live settings in the trainer: learning rates D's and G's steps take now (decay included), k, kG, who trains. */
  lrD: number;
  lrG: number;
  k: number;
  kG: number;
  players: PlayerChoice;
  /** Minibatch updates of D and of G so far (the optimizers' step counts). */
  dSteps: number;
  gSteps: number;
  /** The live inputs refused, with why (empty when all are valid). */
  inputErrors: string[];
  /** Resets so far (a preset switch or the reset button). */
  resets: number;
  /** Milliseconds from the page's start until MNIST was loaded and the trainer built. */
  readyMs: number;
  /** The name of the last file saved, and of the files last loaded. */
  saved: string;
  loaded: string;
}

const SLICE_MS = 100;

/** The "train" select's choices, as the toy names them, and the trainer's players for each. */
type PlayerChoice = 'both' | 'D only' | 'G only';
const PLAYER_CHOICES: Record<PlayerChoice, Players> = { both: 'both', 'D only': 'D', 'G only': 'G' };

/** The live number boxes: each player's initial learning rate (decayed per step as in the preset) and k. */
const BOXES: Record<'dLr' | 'gLr' | 'k' | 'kG', NumberBox> = {
  dLr: { id: 'gan-lr-d', what: "D's learning rate", min: 0.0001, max: 1, integer: false },
  gLr: { id: 'gan-lr-g', what: "G's learning rate", min: 0.0001, max: 1, integer: false },
  k: { id: 'gan-k-d', what: 'k for D (D steps per iteration)', min: 1, max: 10, integer: true },
  kG: { id: 'gan-k-g', what: 'k for G (G steps per iteration)', min: 1, max: 10, integer: true },
};
/** V(D, G) at most this often, and never more than a tenth of the wall clock (it costs a forward pass of D and G per image). */
const VALUE_EVERY_MS = 1000;
const VALUE_SHARE = 0.1;
/** Validation images for the page's V(D, G) (the paper preset holds 10,000: seconds on wasm, the page frozen meanwhile; 200 give a curve to watch, not a figure to report). */
const PAGE_VALIDATION = 200;

/** What a learner sees in the paper preset's first iterations, said before they wonder (see pageUpdateOrder). */
export const PAPER_SAMPLES_NOTE =
  "the paper's G draws nearly one image at first: its samples spread out from about 1,500 iterations with the simultaneous update; the alternating one collapses them onto one image by about 2,500";

/**
 * The update order the page starts a preset with: the paper preset simultaneous, the others their
 * own. Measured on wasm (benchmarks/src/paper-collapse-probe.ts, docs/playground.md): the paper's
 * samples start alike with either order (mean pairwise distance 0.37 and 0.33 of 9.75 for real
 * digits at 500 iterations); with the simultaneous update they spread out (5.7 at 1,500, 6.2 at
 * 2,500), with the alternating one they collapse onto one image (0.10 at 2,500).
 */
export function pageUpdateOrder(config: GanConfig): UpdateMode {
  return config.preset === 'paper' ? 'simultaneous' : config.update;
}

/** The longest horizon of the page's averaged G: 1,000 iterations (see pageGEma). */
export const PAGE_G_EMA_MAX = 0.999;

/**
 * The decay of the averaged G that the page's samples come from: the preset's, at most 0.999. The
 * `quick` preset averages over ~10,000 iterations (0.9999) for the 50,000 of its 9-minute run; on
 * the page, which is watched from its first iterations, that average would show mostly the initial G
 * for thousands of iterations (its weight is 0.9999^n: 74% at 3,000). A horizon of ~1,000 iterations
 * follows G within a minute of training.
 */
export function pageGEma(config: GanConfig): number {
  return Math.min(config.gEma ?? 0, PAGE_G_EMA_MAX);
}

export function ganPanel(devicePromise: Promise<Device>, initialPreset: string): GanPanelState {
  const state: GanPanelState = {
    iterations: 0,
    curves: { dLoss: [], gLoss: [], dReal: [], dFake: [], value: [] },
    redraws: 0,
    itersPerSecond: 0,
    running: false,
    ready: false,
    interpolated: false,
    gradDraws: 0,
    gradScale: 0,
    preset: '',
    update: 'alternating',
    gLoss: 'non-saturating',
    lrD: 0,
    lrG: 0,
    k: 1,
    kG: 1,
    players: 'both',
    dSteps: 0,
    gSteps: 0,
    inputErrors: [],
    resets: 0,
    readyMs: 0,
    saved: '',
    loaded: '',
  };
  const gradToggle = $<HTMLInputElement>('gan-grad-toggle');
  const status = $('gan-status');
  const progress = new Progress($('gan-progress'));
  const select = options($<HTMLSelectElement>('gan-preset'), PRESET_NAMES, PRESET_NAMES.includes(initialPreset as PresetName) ? initialPreset : 'quick');
  const updateSelect = options($<HTMLSelectElement>('gan-update'), UPDATE_MODES);
  const gLossSelect = options($<HTMLSelectElement>('gan-gloss'), GENERATOR_LOSSES);
  const playersSelect = options($<HTMLSelectElement>('gan-players'), Object.keys(PLAYER_CHOICES), 'both');
  const errors = $('gan-errors');
  const buttons = ['gan-start', 'gan-pause', 'gan-step', 'gan-reset', 'gan-interp', 'gan-save', 'gan-load', 'gan-pretrained'].map((id) =>
    $<HTMLButtonElement>(id),
  );
  let device: Device | null = null;
  let mnist: Mnist | null = null;
  let trainer: GanTrainer | null = null;
  let fixedZ: Tensor | null = null;
  const sliceMeans = new SliceMeanTracker();
  const rate = new WallClockRate();
  let lastValueAt = 0;
  /** What the last V(D, G) took, in ms. */
  let valueMs = 0;
  let sliceIterations = 1;
  /** Set by pause, reset and a preset switch: the slice in progress stops at its next iteration. */
  let stopSlice = false;
  /** True until the first iteration on this trainer has run (it compiles every kernel on a GPU). */
  let first = true;
  let busy = Promise.resolve();

  /** Runs one job at a time (a step, a slice, a redraw never overlap on the trainer). */
  const serial = (job: () => Promise<void>): Promise<void> => (busy = busy.then(() => guarded(status, job)));

  /** A fresh trainer of the preset picked. */
  async function reset(): Promise<void> {
    const config = preset(select.value as PresetName);
    config.update = pageUpdateOrder(config);
    config.gEma = pageGEma(config);
    await build(config);
  }

  /** Builds the trainer for `config` (a preset's, or a loaded file's), and puts the file's state into it (`restore`). */
  async function build(config: GanConfig, restore?: (t: GanTrainer) => void): Promise<void> {
    state.running = false;
    trainer?.dispose();
    trainer = null;
    fixedZ?.dispose();
    config = { ...config, valN: Math.min(config.valN, PAGE_VALIDATION) };
    trainer = new GanTrainer(config, { images: mnist!.train.images, n: mnist!.train.n, d: 784 }, device!, {
      images: mnist!.validation.images,
      n: mnist!.validation.n,
      d: 784,
    });
    restore?.(trainer);
    fixedZ = keep(trainer.sampleZ(100, new Generator(config.seed + 7)));
    select.value = config.preset;
    state.iterations = trainer.totalIterations;
    state.itersPerSecond = 0;
    state.preset = config.preset;
    state.resets++;
    for (const c of Object.values(state.curves)) c.length = 0;
    sliceMeans.reset();
    rate.reset();
    valueMs = 0;
    lastValueAt = 0;
    // A new network: its iteration costs nothing like the last one's (tiny -> paper is ~100x).
    sliceIterations = 1;
    first = true;
    updateSelect.value = config.update;
    gLossSelect.value = config.gLoss;
    playersSelect.value = Object.keys(PLAYER_CHOICES).find((k) => PLAYER_CHOICES[k as PlayerChoice] === (config.players ?? 'both'))!;
    for (const [key, box] of Object.entries(BOXES) as [keyof typeof BOXES, NumberBox][]) {
      $<HTMLInputElement>(box.id).value = String(key === 'dLr' || key === 'gLr' ? (config[key] ?? config.lr) : key === 'kG' ? (config.kG ?? 1) : config.k);
    }
    applyLive();
    // The old Figure 3 and gradient view were of the old G.
    $('gan-interp-figure').hidden = true;
    state.interpolated = false;
    await redraw(null);
    status.textContent = `${config.preset}: G ${describeGenerator(config.generator)}, D ${describeDiscriminator(config.discriminator)}, batch ${config.batch}, k ${config.k}`;
    if (config.preset === 'paper') status.textContent += ` · ${PAPER_SAMPLES_NOTE}`;
  }

  /**
   * The live controls into the trainer (read at every iteration), one setting at a time: a box out
   * of range, or a setting the trainer refuses (k > 1 with the simultaneous update), is named beside
   * the boxes and the trainer keeps its last valid value; the others take effect.
   */
  function applyLive(): void {
    if (!trainer) return;
    const problems: string[] = [];
    const settings: LiveSettings[] = [
      { update: updateSelect.value as UpdateMode },
      { gLoss: gLossSelect.value as GeneratorLossKind },
      { players: PLAYER_CHOICES[playersSelect.value as PlayerChoice] },
    ];
    for (const [key, box] of Object.entries(BOXES) as [keyof typeof BOXES, NumberBox][]) {
      const input = $<HTMLInputElement>(box.id);
      const v = readBox(box, input.value);
      input.classList.toggle('bad', v instanceof Error);
      if (v instanceof Error) problems.push(`${v.message} (still using ${String(trainer.config[key] ?? (key === 'kG' ? 1 : trainer.config.lr))})`);
      else settings.push({ [key]: v });
    }
    for (const s of settings) {
      try {
        trainer.setLive(s);
      } catch (e) {
        problems.push(e instanceof Error ? e.message : String(e));
      }
    }
    state.inputErrors = problems;
    errors.textContent = problems.join('; ');
    errors.className = problems.length ? 'bad' : '';
    showLive();
  }

  /** The live settings as the trainer has them, into the state (and the learning rates the next steps take). */
  function showLive(): void {
    const c = trainer!.config;
    state.update = c.update;
    state.gLoss = c.gLoss;
    state.k = c.k;
    state.kG = c.kG ?? 1;
    state.players = (Object.keys(PLAYER_CHOICES) as PlayerChoice[]).find((k) => PLAYER_CHOICES[k] === (c.players ?? 'both'))!;
    state.lrD = trainer!.optD.current().lr;
    state.lrG = trainer!.optG.current().lr;
    state.dSteps = trainer!.optD.stepCount;
    state.gSteps = trainer!.optG.stepCount;
  }

  /** Runs iterations until `count` are done, `ms` have passed, the epoch ends or pause is pressed. */
  async function train(count: number, ms: number): Promise<Slice> {
    const what =
      first && device!.kind === 'webgpu'
        ? 'first iteration: compiling every GPU kernel (minutes on a software GPU)'
        : count === 1
          ? 'one iteration'
          : `training ${count} iterations`;
    stopSlice = false;
    const slice = await progress.during(what, () => trainSlice(trainer!, count, ms, () => stopSlice));
    if (slice.ran > 0) first = false;
    state.iterations += slice.ran;
    showLive(); // the step counts with the iterations, in one task (a test reads them together)
    return slice;
  }

  /**
   * One curve point per slice: the means over its iterations (./training-slices.ts). A slice that
   * ended the epoch reads them from the epoch's record: the running statistics are reset by then.
   */
  async function addPoints(slice: Slice): Promise<void> {
    const means = sliceMeans.next(slice.ended ?? (await trainer!.runningStats()), slice.ended !== null);
    const x = state.iterations;
    if (means.d) {
      state.curves.dLoss.push([x, means.d.dLoss]);
      state.curves.dReal.push([x, means.d.dReal]);
      state.curves.dFake.push([x, means.d.dFake]);
    }
    if (means.g) state.curves.gLoss.push([x, means.g.gLoss]);
    if (performance.now() - lastValueAt > Math.max(VALUE_EVERY_MS, valueMs / VALUE_SHARE)) {
      const t0 = performance.now();
      const v = await trainer!.validationValue();
      lastValueAt = performance.now();
      valueMs = lastValueAt - t0;
      if (v !== null) state.curves.value.push([x, v]);
    }
  }

  /** Redraws the grid and the curves; after a slice (not after a reset), adds its curve point first. */
  async function redraw(slice: Slice | null): Promise<void> {
    const x = trainer!.generate(fixedZ!);
    const pixels = Float32Array.from(await x.toArray());
    x.dispose();
    drawGrid($<HTMLCanvasElement>('gan-grid'), pixels, 10, 10);
    state.redraws++;
    if (gradToggle.checked) await drawGradient();
    if (slice) await addPoints(slice);
    drawCurves();
    showNumbers();
  }

  function showNumbers(): void {
    showLive();
    const c = state.curves;
    const at = (pts: Point[]) => (pts.length ? pts[pts.length - 1]![1].toFixed(3) : '–');
    $('gan-numbers').textContent =
      `iteration ${state.iterations} (epoch ${trainer!.epoch}, ${trainer!.iterInEpoch}/${trainer!.iterationsPerEpoch}) · D steps ${state.dSteps}, G steps ${state.gSteps} · lr D ${state.lrD.toPrecision(3)}, G ${state.lrG.toPrecision(3)} · ` +
      `${state.running ? `${state.itersPerSecond.toFixed(1)} it/s (wall clock)` : 'paused'} · D loss ${at(c.dLoss)} · G loss ${at(c.gLoss)} · D(x) ${at(c.dReal)} · D(G(z)) ${at(c.dFake)} · V(D,G) ${at(c.value)}`;
  }

  /** −∂L_G/∂x for the fixed z, on a diverging scale set by this step's largest |∂L_G/∂x|. */
  async function drawGradient(): Promise<void> {
    const g = await generatorPixelGradient(trainer!, fixedZ!);
    const scale = g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    drawGrid(
      $<HTMLCanvasElement>('gan-grad'),
      g.map((v) => -v),
      10,
      10,
      28,
      diverging(scale),
    );
    $('gan-grad-caption').innerHTML = `−∂L<sub>G</sub>/∂x for the same z (per sample): red brightens, blue darkens; full colour at ${scale.toExponential(2)}`;
    state.gradDraws++;
    state.gradScale = scale;
  }

  function drawCurves(): void {
    const s = (name: string, points: Point[], color?: string): Series => ({ name, points, color });
    const c = state.curves;
    const equilibrium: Point[] = c.value.length
      ? [
          [c.value[0]![0], -Math.log(4)],
          [c.value[c.value.length - 1]![0], -Math.log(4)],
        ]
      : [];
    $('gan-curves').innerHTML = chartGrid(
      [
        { title: 'losses', xLabel: 'iteration', series: [s('D loss', c.dLoss), s('G loss', c.gLoss)], width: 380, height: 240, legend: 'below' },
        {
          title: "D's outputs",
          xLabel: 'iteration',
          yRange: [0, 1],
          series: [s('D(x)', c.dReal), s('D(G(z))', c.dFake)],
          width: 380,
          height: 240,
          legend: 'below',
        },
        {
          title: 'V(D, G) on validation',
          xLabel: 'iteration',
          series: [s('V(D,G)', c.value), s('-log 4', equilibrium, '#999')],
          width: 380,
          height: 240,
          legend: 'below',
        },
      ],
      { cols: 2, idPrefix: 'gan-chart' },
    );
  }

  async function loop(): Promise<void> {
    rate.mark(performance.now(), state.iterations);
    while (state.running) {
      await serial(async () => {
        if (!state.running) return;
        // Iterations per slice adapt so a slice (its GPU work included: runEpoch waits for it)
        // lasts about SLICE_MS; queuing more would starve the page's own drawing on a software GPU.
        const slice = await train(sliceIterations, 2 * SLICE_MS);
        if (slice.ran > 0) await redraw(slice);
        // Sized by the training time alone: the redraw's fixed cost would otherwise keep slices at
        // one iteration and the page would spend its time drawing.
        sliceIterations = nextSliceSize(slice, SLICE_MS);
        state.itersPerSecond = rate.mark(performance.now(), state.iterations);
        showNumbers();
      });
      await new Promise((r) => requestAnimationFrame(() => r(null)));
    }
    rate.reset();
    state.itersPerSecond = 0;
  }

  const stop = () => {
    state.running = false;
    stopSlice = true;
  };
  const [start, pause, step, resetButton, interp] = buttons as [HTMLButtonElement, HTMLButtonElement, HTMLButtonElement, HTMLButtonElement, HTMLButtonElement];
  start.onclick = () => {
    if (state.running) return;
    state.running = true;
    void loop();
  };
  pause.onclick = () => {
    stop();
    if (trainer) void serial(async () => showNumbers());
  };
  step.onclick = () => {
    stop();
    void serial(async () => {
      const slice = await train(1, Infinity);
      await redraw(slice);
    });
  };
  resetButton.onclick = () => {
    stop();
    void serial(reset);
  };
  $('gan-save').onclick = () => {
    stop();
    void serial(async () => {
      const snapshot = await trainer!.state();
      const name = `saddle-gan-${trainer!.config.preset}-iteration-${trainer!.totalIterations}.safetensors`;
      const url = URL.createObjectURL(new Blob([encodeSnapshot(snapshot) as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
      const a = Object.assign(document.createElement('a'), { href: url, download: name });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      state.saved = name;
    });
  };
  const loadInput = $<HTMLInputElement>('gan-load');
  loadInput.onchange = () => {
    stop();
    const picked = Array.from(loadInput.files ?? []);
    loadInput.value = '';
    void serial(() =>
      progress.during('loading the checkpoint', async () => {
        const files = await Promise.all(picked.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
        const snapshot = decodeSnapshot(files);
        await build(snapshot.meta.config, (t) => t.restore(snapshot.tensors, snapshot.meta));
        state.loaded = files.map((f) => f.name).join(', ');
        status.textContent = `loaded ${state.loaded}: ${snapshot.meta.config.preset}, iteration ${snapshot.meta.totalIterations} (epoch ${snapshot.meta.epoch + 1}) · ${status.textContent}`;
      }),
    );
  };
  interp.onclick = () =>
    void serial(async () => {
      const rows = await interpolationImages(trainer!, 8, 12);
      const all = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
      rows.forEach((r, i) => all.set(r, i * r.length));
      drawGrid($<HTMLCanvasElement>('gan-interp-canvas'), all, 8, 12);
      $('gan-interp-figure').hidden = false;
      state.interpolated = true;
    });
  select.onchange = () => {
    stop();
    // Said at once; the build (the networks, MNIST's 50,000 images uploaded to the device) follows.
    status.textContent = `switching to ${select.value}…`;
    status.className = '';
    void serial(() => progress.during(`building the ${select.value} networks and uploading MNIST to the device`, reset));
  };
  $('gan-pretrained').onclick = () => {
    stop();
    void serial(() =>
      progress.during('loading the trained model', async () => {
        const url = new URL(PRETRAINED_PATH, document.baseURI);
        const response = await fetch(url);
        if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
        const { tensors, info } = decodePretrained(new Uint8Array(await response.arrayBuffer()), PRETRAINED_PATH);
        await build(info.config, (t) => loadPretrained(t, tensors, info, PRETRAINED_PATH));
        state.loaded = PRETRAINED_PATH;
        status.textContent = `a trained model (${info.made}) · ${status.textContent}`;
      }),
    );
  };
  updateSelect.onchange = gLossSelect.onchange = playersSelect.onchange = applyLive;
  for (const box of Object.values(BOXES)) $<HTMLInputElement>(box.id).oninput = applyLive;
  gradToggle.onchange = () => {
    $('gan-grad-figure').hidden = !gradToggle.checked;
    if (gradToggle.checked && trainer) void serial(drawGradient);
  };

  // MNIST downloads while the page chooses its device.
  const mnistPromise = fetchMnistPacked(new URL('mnist/', document.baseURI), (line) => (status.textContent = line));
  void serial(async () => {
    [mnist, device] = await progress.during('loading MNIST and choosing the device', () => Promise.all([mnistPromise, devicePromise]));
    await reset();
    for (const b of buttons) b.disabled = false;
    state.ready = true;
    state.readyMs = performance.now();
  });
  return state;
}
