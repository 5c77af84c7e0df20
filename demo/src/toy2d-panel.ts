/**
 * The 2-D toy, GAN Lab style, beside the 1-D one: a small MLP G (noise z ∈ R² → a point) and D (a
 * point → the probability it is real) train live on the page's device (`Toy2dGan`, from
 * @saddle/gan) on a ring of 8 Gaussians, two moons, a spiral, a line, or points the learner draws
 * on the canvas (click or drag: drawing starts a new drawn data set; "clear drawing" empties it).
 *
 * The canvas shows, after every animation frame's iterations:
 *   - D's decision surface as a heat map: D on a HEAT_CELLS² grid over the view, green where D
 *     says "real" (D > 1/2), purple where it says "fake", white at 1/2;
 *   - real points (dark green) and G's points for fixed z (purple);
 *   - G's gradient as arrows at G's points: minus d L_G / d x for each sample, the direction and
 *     size of the push G's loss (saturating or not, as selected) gives it, ARROW_SCALE view units
 *     per unit of gradient, capped at ARROW_MAX.
 *
 * The controls are the 1-D toy's, live: learning rate and k per player (number boxes refused with a
 * message beside them, the last valid value staying in use), train both / D only / G only, the
 * update order, G's loss, speed, start / pause / one step / reset. A data set that cannot be used
 * ("drawn" with nothing drawn) is refused the same way.
 */
import { Generator, type Device, type Tensor } from '@saddle/autograd';
import {
  DEFAULT_TOY2D_SETTINGS,
  GENERATOR_LOSSES,
  TOY2D_DATA,
  TOY2D_LIMITS,
  TOY2D_TRAINING,
  TOY2D_VIEW,
  Toy2dGan,
  UPDATE_MODES,
  chamferDistance,
  gridPoints,
  pointPairs,
  sampleToy2d,
  type Toy2dData,
  type Toy2dDataName,
  type Toy2dSettings,
} from '@saddle/gan';
import { $, options } from './dom.js';
import { Progress } from './progress.js';
import { SPEEDS, readNumberBoxes, runButtons, showProblems, type NumberBox } from './toy-controls.js';

export interface Toy2dPanelState {
  /** The trainer is built (the device is chosen). */
  ready: boolean;
  steps: number;
  running: boolean;
  /** The data set in use, and the learner's drawn points (view units). */
  data: Toy2dDataName;
  drawn: [number, number][];
  /** The settings in use (the last valid values of the boxes and the selects). */
  settings: Toy2dSettings;
  speed: string;
  /** The inputs refused, with why (empty when all are valid). */
  inputErrors: string[];
  /** Drawn frames, and the chamfer distance between G's points and the real points at each. */
  draws: number;
  distances: number[];
  /** What the last frame drew: real points, G's points, G's gradient at them (d L_G / d x), D's range on the grid. */
  real: [number, number][];
  generated: [number, number][];
  gradients: [number, number][];
  /** The arrows' total length as drawn, in canvas pixels (shafts; capped at ARROW_MAX view units each). */
  arrowLengthPx: number;
  heat: { min: number; max: number };
  /** D on the heat map's grid (HEAT_CELLS² values, row by row from the top left). */
  heatGrid: number[];
}

const HEAT_CELLS = 48;
const SHOWN = 300;
const ARROWS = 120;
const ARROW_SCALE = 0.3;
const ARROW_MAX = 0.8;
/** Drawn points closer than this (view units) to the previous one of a stroke are skipped. */
const STROKE_STEP = 0.12;

const BOXES: Record<'lrD' | 'lrG' | 'kD' | 'kG', NumberBox> = {
  lrD: { id: 'toy2d-lr-d', what: "D's learning rate", ...TOY2D_LIMITS.lr, integer: false },
  lrG: { id: 'toy2d-lr-g', what: "G's learning rate", ...TOY2D_LIMITS.lr, integer: false },
  kD: { id: 'toy2d-k-d', what: 'k for D (D steps per iteration)', ...TOY2D_LIMITS.k, integer: true },
  kG: { id: 'toy2d-k-g', what: 'k for G (G steps per iteration)', ...TOY2D_LIMITS.k, integer: true },
};

/** D in [0, 1] → a colour: purple below 1/2, white at 1/2, green above. */
function heatColour(d: number): [number, number, number] {
  const t = Math.min(1, Math.abs(d - 0.5) * 2) * 0.75;
  const [r, g, b] = d >= 0.5 ? [46, 160, 90] : [150, 80, 180];
  return [Math.round(255 + (r - 255) * t), Math.round(255 + (g - 255) * t), Math.round(255 + (b - 255) * t)];
}

export function toy2dPanel(devicePromise: Promise<Device>): Toy2dPanelState {
  const state: Toy2dPanelState = {
    ready: false,
    steps: 0,
    running: false,
    data: 'ring',
    drawn: [],
    settings: { ...DEFAULT_TOY2D_SETTINGS },
    speed: '2',
    inputErrors: [],
    draws: 0,
    distances: [],
    real: [],
    generated: [],
    gradients: [],
    arrowLengthPx: 0,
    heat: { min: NaN, max: NaN },
    heatGrid: [],
  };
  const status = $('toy2d-status');
  const progress = new Progress($('toy2d-progress'));
  const errors = $('toy2d-errors');
  const canvas = $<HTMLCanvasElement>('toy2d-canvas');
  const dataSelect = options($<HTMLSelectElement>('toy2d-data'), TOY2D_DATA, state.data);
  const trainSelect = options($<HTMLSelectElement>('toy2d-train'), TOY2D_TRAINING, state.settings.train);
  const updateSelect = options($<HTMLSelectElement>('toy2d-update'), UPDATE_MODES, state.settings.update);
  const gLossSelect = options($<HTMLSelectElement>('toy2d-gloss'), GENERATOR_LOSSES, state.settings.gLoss);
  const speedSelect = options($<HTMLSelectElement>('toy2d-speed'), SPEEDS, state.speed);
  let toy: Toy2dGan | null = null;
  let device: Device;
  let z: Tensor | null = null;

  const dataSet = (): Toy2dData => (state.data === 'drawn' ? { name: 'drawn', points: state.drawn } : { name: state.data });

  /** Reads every control: valid values are used from the next step on; refused ones are named beside the boxes. */
  function readControls(): void {
    const problems = readNumberBoxes(BOXES, state.settings);
    state.settings.train = trainSelect.value as Toy2dSettings['train'];
    state.settings.update = updateSelect.value as Toy2dSettings['update'];
    state.settings.gLoss = gLossSelect.value as Toy2dSettings['gLoss'];
    state.speed = speedSelect.value;
    const wanted = dataSelect.value as Toy2dDataName;
    if (wanted === 'drawn' && state.drawn.length === 0) {
      problems.push(`data: nothing is drawn yet; click or drag on the canvas to draw points (still using ${state.data})`);
      dataSelect.value = state.data;
    } else {
      state.data = wanted;
    }
    toy?.setSettings(state.settings);
    toy?.setData(dataSet());
    state.inputErrors = problems;
    showProblems(errors, problems);
  }
  for (const box of Object.values(BOXES)) $<HTMLInputElement>(box.id).oninput = readControls;
  for (const select of [dataSelect, trainSelect, updateSelect, gLossSelect, speedSelect]) select.onchange = readControls;

  function build(): void {
    toy = new Toy2dGan({ data: dataSet(), device, seed: 1, settings: state.settings });
    z = toy.sampleZ(SHOWN, new Generator(21));
    state.steps = 0;
    state.distances.length = 0;
  }

  function dispose(): void {
    z?.dispose();
    toy?.dispose();
  }

  // ------------------------------------------------------------------ drawing on the canvas

  const toView = (e: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    const { min, max } = TOY2D_VIEW;
    const clamp = (v: number) => Math.min(max, Math.max(min, v));
    return [clamp(min + ((e.clientX - r.left) / r.width) * (max - min)), clamp(max - ((e.clientY - r.top) / r.height) * (max - min))];
  };
  let stroke = false;
  function addPoint(p: [number, number]): void {
    const last = state.drawn[state.drawn.length - 1];
    if (stroke && last && Math.hypot(p[0] - last[0], p[1] - last[1]) < STROKE_STEP) return;
    state.drawn.push(p);
    dataSelect.value = 'drawn';
    readControls();
    void serial(draw);
  }
  canvas.onpointerdown = (e) => {
    // Drawing while another data set is in use starts a new drawing.
    if (state.data !== 'drawn') state.drawn = [];
    stroke = false;
    addPoint(toView(e));
    stroke = true;
    canvas.setPointerCapture?.(e.pointerId);
  };
  canvas.onpointermove = (e) => {
    if (stroke) addPoint(toView(e));
  };
  canvas.onpointerup = canvas.onpointercancel = () => {
    stroke = false;
  };
  $('toy2d-clear').onclick = () => {
    state.drawn = [];
    if (state.data === 'drawn') dataSelect.value = 'ring';
    readControls();
    void serial(draw);
  };

  // ------------------------------------------------------------------ one frame

  /** Draws a frame; one that takes long (a first one on WebGPU compiles the kernels) says so, counting. */
  const draw = (): Promise<void> => progress.during(`running the frame on ${device?.kind ?? 'the device'} (the first ones compile its kernels)`, drawFrame);

  async function drawFrame(): Promise<void> {
    if (!toy || !z) return;
    const grid = await toy.discriminate(gridPoints(HEAT_CELLS));
    const generated = await toy.generate(z);
    const real = sampleToy2d(dataSet(), SHOWN, new Generator(22));
    const gradients = await toy.generatorGradient(generated.slice(0, 2 * ARROWS));
    state.real = pointPairs(real);
    state.generated = pointPairs(generated);
    state.gradients = pointPairs(gradients);
    state.heat = { min: Math.min(...grid), max: Math.max(...grid) };
    state.heatGrid = Array.from(grid);
    state.distances.push(chamferDistance(generated, real));
    state.steps = toy.steps;

    const ctx = canvas.getContext('2d')!;
    const { width, height } = canvas;
    const { min, max } = TOY2D_VIEW;
    const px = (x: number) => ((x - min) / (max - min)) * width;
    const py = (y: number) => ((max - y) / (max - min)) * height;
    // The heat map: one pixel per grid cell, scaled up smoothly.
    const cells = document.createElement('canvas');
    cells.width = cells.height = HEAT_CELLS;
    const img = cells.getContext('2d')!.createImageData(HEAT_CELLS, HEAT_CELLS);
    grid.forEach((d, i) => {
      const [r, g, b] = heatColour(d);
      img.data.set([r, g, b, 255], 4 * i);
    });
    cells.getContext('2d')!.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(cells, 0, 0, width, height);
    const dot = (x: number, y: number, r: number, colour: string) => {
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.arc(px(x), py(y), r, 0, 2 * Math.PI);
      ctx.fill();
    };
    for (const [x, y] of state.real) dot(x, y, 2.2, '#0b5d27');
    for (const [x, y] of state.generated) dot(x, y, 2.2, '#6a1b9a');
    // G's gradient: minus d L_G / d x, scaled and capped, with a head.
    ctx.strokeStyle = '#222';
    ctx.lineWidth = 1;
    state.arrowLengthPx = 0;
    state.gradients.forEach(([gx, gy], i) => {
      const [x, y] = state.generated[i]!;
      let [dx, dy] = [-ARROW_SCALE * gx, -ARROW_SCALE * gy];
      const len = Math.hypot(dx, dy);
      if (len > ARROW_MAX) [dx, dy] = [(dx * ARROW_MAX) / len, (dy * ARROW_MAX) / len];
      const [x0, y0, x1, y1] = [px(x), py(y), px(x + dx), py(y + dy)];
      const a = Math.atan2(y1 - y0, x1 - x0);
      const drawn = Math.hypot(x1 - x0, y1 - y0);
      const head = Math.min(5, drawn / 2);
      state.arrowLengthPx += drawn;
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.lineTo(x1 - head * Math.cos(a - 0.5), y1 - head * Math.sin(a - 0.5));
      ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - head * Math.cos(a + 0.5), y1 - head * Math.sin(a + 0.5));
      ctx.stroke();
    });
    // The drawn points themselves, as rings.
    ctx.strokeStyle = '#000';
    for (const [x, y] of state.data === 'drawn' ? state.drawn : []) {
      ctx.beginPath();
      ctx.arc(px(x), py(y), 4, 0, 2 * Math.PI);
      ctx.stroke();
    }
    state.draws++;
    const s = state.settings;
    $('toy2d-numbers').textContent =
      `step ${state.steps} · data ${state.data}${state.data === 'drawn' ? ` (${state.drawn.length} points)` : ''} · training ${s.train} · ${s.update} · G's loss ${s.gLoss} · k_D ${s.kD} · k_G ${s.kG} · lr_D ${s.lrD} · lr_G ${s.lrG} · ` +
      `chamfer distance G ↔ data ${state.distances[state.distances.length - 1]!.toFixed(3)} · D on the grid ${state.heat.min.toFixed(2)} to ${state.heat.max.toFixed(2)} · arrows: −${ARROW_SCALE} · ∂L_G/∂x`;
  }

  const serial = runButtons('toy2d', status, {
    state,
    iterate: () => toy?.iteration(),
    draw,
    reset() {
      dispose();
      build();
    },
  });
  readControls();
  void serial(async () => {
    device = await progress.during('waiting for the device', () => devicePromise, 0);
    build();
    state.ready = true;
    await draw();
  });
  return state;
}
