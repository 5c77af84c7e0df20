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
 * preset switch stop the slice in progress. The update order and G's loss are live: they take
 * effect at the next iteration. it/s is measured by the wall clock over the last few seconds of
 * training, drawing included.
 */
import { Generator, keep, type Device, type Tensor } from '@saddle/autograd';
import { GENERATOR_LOSSES, GanTrainer, PRESET_NAMES, describeDiscriminator, describeGenerator, UPDATE_MODES, chartGrid, interpolationImages, preset, type GanConfig, type GeneratorLossKind, type Mnist, type PresetName, type Series, type TrainerSnapshot, type UpdateMode } from '@saddle/gan';
import { $, diverging, drawGrid, guarded, options } from './dom.js';
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
  /** Resets so far (a preset switch or the reset button). */
  resets: number;
  /** Milliseconds from the page's start until MNIST was loaded and the trainer built. */
  readyMs: number;
  /** The name of the last file saved, and of the files last loaded. */
  saved: string;
  loaded: string;
}

const SLICE_MS = 100;
/** V(D, G) at most this often, and never more than a tenth of the wall clock (it costs a forward pass of D and G per image). */
const VALUE_EVERY_MS = 1000;
const VALUE_SHARE = 0.1;
/** Validation images for the page's V(D, G) (the paper preset holds 10,000: seconds on wasm, the page frozen meanwhile; 200 give a curve to watch, not a figure to report). */
const PAGE_VALIDATION = 200;

/**
 * The update order the page starts a preset with: the paper preset simultaneous (alternating
 * collapses it in a few hundred iterations in the page: issue 22), the others their own.
 */
export function pageUpdateOrder(config: GanConfig): UpdateMode {
  return config.preset === 'paper' ? 'simultaneous' : config.update;
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
  const buttons = ['gan-start', 'gan-pause', 'gan-step', 'gan-reset', 'gan-interp', 'gan-save', 'gan-load'].map((id) => $<HTMLButtonElement>(id));
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
    await build(config, null);
  }

  /** Builds the trainer for `config` (a preset's, or a loaded snapshot's), and restores `snapshot` into it. */
  async function build(config: GanConfig, snapshot: TrainerSnapshot | null): Promise<void> {
    state.running = false;
    trainer?.dispose();
    trainer = null;
    fixedZ?.dispose();
    config = { ...config, valN: Math.min(config.valN, PAGE_VALIDATION) };
    trainer = new GanTrainer(config, { images: mnist!.train.images, n: mnist!.train.n, d: 784 }, device!, { images: mnist!.validation.images, n: mnist!.validation.n, d: 784 });
    if (snapshot) trainer.restore(snapshot.tensors, snapshot.meta);
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
    applyLive();
    // The old Figure 3 and gradient view were of the old G.
    $('gan-interp-figure').hidden = true;
    state.interpolated = false;
    await redraw(null);
    status.textContent = `${config.preset}: G ${describeGenerator(config.generator)}, D ${describeDiscriminator(config.discriminator)}, batch ${config.batch}, k ${config.k}`;
  }

  /** The update order and G's loss from their selects, into the trainer (read at every iteration). */
  function applyLive(): void {
    if (!trainer) return;
    trainer.config.update = updateSelect.value as UpdateMode;
    trainer.config.gLoss = gLossSelect.value as GeneratorLossKind;
    state.update = trainer.config.update;
    state.gLoss = trainer.config.gLoss;
  }

  /** Runs iterations until `count` are done, `ms` have passed, the epoch ends or pause is pressed. */
  async function train(count: number, ms: number): Promise<Slice> {
    const what = first && device!.kind === 'webgpu' ? 'first iteration: compiling every GPU kernel (minutes on a software GPU)' : count === 1 ? 'one iteration' : `training ${count} iterations`;
    stopSlice = false;
    const slice = await progress.during(what, () => trainSlice(trainer!, count, ms, () => stopSlice));
    if (slice.ran > 0) first = false;
    state.iterations += slice.ran;
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
    const c = state.curves;
    const at = (pts: Point[]) => (pts.length ? pts[pts.length - 1]![1].toFixed(3) : '–');
    $('gan-numbers').textContent =
      `iteration ${state.iterations} (epoch ${trainer!.epoch}, ${trainer!.iterInEpoch}/${trainer!.iterationsPerEpoch}) · ` +
      `${state.running ? `${state.itersPerSecond.toFixed(1)} it/s (wall clock)` : 'paused'} · D loss ${at(c.dLoss)} · G loss ${at(c.gLoss)} · D(x) ${at(c.dReal)} · D(G(z)) ${at(c.dFake)} · V(D,G) ${at(c.value)}`;
  }

  /** −∂L_G/∂x for the fixed z, on a diverging scale set by this step's largest |∂L_G/∂x|. */
  async function drawGradient(): Promise<void> {
    const g = await generatorPixelGradient(trainer!, fixedZ!);
    const scale = g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    drawGrid($<HTMLCanvasElement>('gan-grad'), g.map((v) => -v), 10, 10, 28, diverging(scale));
    $('gan-grad-caption').innerHTML = `−∂L<sub>G</sub>/∂x for the same z (per sample): red brightens, blue darkens; full colour at ${scale.toExponential(2)}`;
    state.gradDraws++;
    state.gradScale = scale;
  }

  function drawCurves(): void {
    const s = (name: string, points: Point[], color?: string): Series => ({ name, points, color });
    const c = state.curves;
    const equilibrium: Point[] = c.value.length ? [[c.value[0]![0], -Math.log(4)], [c.value[c.value.length - 1]![0], -Math.log(4)]] : [];
    $('gan-curves').innerHTML = chartGrid(
      [
        { title: 'losses', xLabel: 'iteration', series: [s('D loss', c.dLoss), s('G loss', c.gLoss)], width: 380, height: 240, legend: 'below' },
        { title: "D's outputs", xLabel: 'iteration', yRange: [0, 1], series: [s('D(x)', c.dReal), s('D(G(z))', c.dFake)], width: 380, height: 240, legend: 'below' },
        { title: 'V(D, G) on validation', xLabel: 'iteration', series: [s('V(D,G)', c.value), s('-log 4', equilibrium, '#999')], width: 380, height: 240, legend: 'below' },
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
        await build(snapshot.meta.config, snapshot);
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
  updateSelect.onchange = gLossSelect.onchange = applyLive;
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
