/**
 * The 1-D toy of the paper's Figure 1, GAN Lab style, where every density is known in closed form.
 *
 * p_data = N(2, 0.5²). The generator is affine, G(z) = μ + σ·z with z ~ N(0, 1), so p_g stays a
 * normal N(μ, σ²) and D* = p_data / (p_data + p_g) (Proposition 1) can be drawn exactly beside the
 * discriminator, a 1 → 32 → 32 → 1 ReLU MLP giving logits. One iteration of Algorithm 1: k steps of
 * D on a minibatch from each side (sigmoid cross-entropy, SGD with momentum), then one step of G on
 * the non-saturating loss -log D(G(z)), repeated k_G times. Every control is live, GAN Lab style:
 * each player's learning rate and k, which players train (both, D only, G only) and the speed
 * (slow motion to as fast as the device goes) are read at every step. A value out of range is
 * refused with a message beside the box, and the last valid one stays in use.
 *
 * "mean |D - D*|" weighs the gap by the mixture density (p_data + p_g) / 2 over the plotted grid:
 * it shrinks as D learns the current G, and grows again briefly whenever G moves.
 *
 * Arrows, GAN Lab style, at G's samples x = μ + σ·z for fixed z: −d(−log D(x))/dx, the direction
 * and size of the push G's loss gives each sample (./generator-gradient.ts, by autograd), drawn to
 * ARROW_SCALE x-units per unit of gradient.
 */
import {
  Generator,
  add,
  concat,
  detach,
  exp,
  fromArray,
  keep,
  mul,
  noGrad,
  param,
  randn,
  sigmoid,
  sigmoidBce,
  tidy,
  type Device,
  type Tensor,
} from '@saddle/autograd';
import { SGD, init, mlp, type Sequential } from '@saddle/nn';
import { chartGrid, gaussianPdf, optimalDiscriminator, type Gaussian1d, type Series } from '@saddle/gan';
import { $, options } from './dom.js';
import { SPEEDS, readNumberBoxes, runButtons, showProblems, type NumberBox } from './toy-controls.js';
import { sampleGradient } from './generator-gradient.js';

export interface ToyPanelState {
  steps: number;
  /** The hyperparameters in use (the last valid values of the boxes). */
  lrD: number;
  lrG: number;
  kD: number;
  kG: number;
  /** Which players train: both, D only or G only. */
  train: ToyTraining;
  /** Iterations per animation frame ('max': as many as fit in 50 ms), or 'slow': one every 300 ms. */
  speed: string;
  /** The boxes whose value was refused, with why (empty when all are valid). */
  inputErrors: string[];
  /** The plot's upper y bound (it grows to show p_g's peak). */
  yMax: number;
  /** mean |D - D*| after each drawn step (the first entry is before any training). */
  gaps: number[];
  running: boolean;
  pg: Gaussian1d;
  /** d(−log D(x))/dx at the arrows' samples after the last drawn step. */
  arrows: number[];
}

const PDATA: Gaussian1d = { mean: 2, std: 0.5 };
const BATCH = 64;
const GRID = Float32Array.from({ length: 121 }, (_, i) => -3 + (i * 8) / 120);
/** The arrows' fixed z (G's samples are μ + σ·z), their height on the plot, and x-units per unit of gradient. */
const ARROW_Z = Array.from({ length: 13 }, (_, i) => -2 + i / 3);
const ARROW_Y = 0.06;
const ARROW_SCALE = 0.5;
const ARROW_MAX = 1.5;

/** One polyline (NaN breaks it) drawing an arrow from (x, y) by dx: the shaft, then the two sides of the head. */
function arrow(x: number, y: number, dx: number): [number, number][] {
  const tip = x + dx;
  const head = Math.sign(dx) * Math.min(0.12, Math.abs(dx) / 2);
  return [
    [x, y],
    [tip, y],
    [tip - head, y + 0.03],
    [NaN, NaN],
    [tip, y],
    [tip - head, y - 0.03],
    [NaN, NaN],
  ];
}

export type ToyTraining = 'both' | 'D only' | 'G only';
const TRAINING: readonly ToyTraining[] = ['both', 'D only', 'G only'];
const BOXES: Record<'lrD' | 'lrG' | 'kD' | 'kG', NumberBox> = {
  lrD: { id: 'toy-lr-d', what: "D's learning rate", min: 0, max: 1, integer: false },
  lrG: { id: 'toy-lr-g', what: "G's learning rate", min: 0, max: 1, integer: false },
  kD: { id: 'toy-k-d', what: 'k for D (D steps per iteration)', min: 1, max: 20, integer: true },
  kG: { id: 'toy-k-g', what: 'k for G (G steps per iteration)', min: 1, max: 20, integer: true },
};

export function toyPanel(devicePromise: Promise<Device>): ToyPanelState {
  const state: ToyPanelState = {
    steps: 0,
    gaps: [],
    running: false,
    pg: { mean: -1, std: 1 },
    arrows: [],
    lrD: 0.05,
    lrG: 0.05,
    kD: 1,
    kG: 1,
    train: 'both',
    speed: '2',
    inputErrors: [],
    yMax: 1,
  };
  const status = $('toy-status');
  const errors = $('toy-errors');
  const trainSelect = options($<HTMLSelectElement>('toy-train'), TRAINING, state.train);
  const speedSelect = options($<HTMLSelectElement>('toy-speed'), SPEEDS, state.speed);
  let device: Device;

  /** Reads every box: a valid value is used from the next step on; a refused one is named beside the boxes. */
  function readBoxes(): void {
    state.inputErrors = readNumberBoxes(BOXES, state);
    showProblems(errors, state.inputErrors);
    state.train = trainSelect.value as ToyTraining;
    state.speed = speedSelect.value;
  }
  for (const box of Object.values(BOXES)) $<HTMLInputElement>(box.id).oninput = readBoxes;
  trainSelect.onchange = speedSelect.onchange = readBoxes;

  let D: Sequential;
  let mu: Tensor;
  let logSigma: Tensor;
  let optD: SGD;
  let optG: SGD;
  let gen: Generator;
  let targets: Tensor;
  let ones: Tensor;

  function build(): void {
    const initGen = new Generator(3);
    gen = new Generator(4);
    D = mlp([1, 32, 32, 1], { device, generator: initGen, activation: 'relu', outputActivation: 'none', weightInit: init.glorotUniform() });
    mu = param(fromArray([-1], [1, 1], { device }));
    logSigma = param(fromArray([0], [1, 1], { device }));
    // The learning rate is a schedule read at every step: the input box changes it live.
    optD = new SGD(D.parameters(), { lr: () => state.lrD, momentum: 0.5 });
    optG = new SGD([mu, logSigma], { lr: () => state.lrG, momentum: 0.5 });
    targets = keep(
      fromArray(
        Float32Array.from({ length: 2 * BATCH }, (_, i) => (i < BATCH ? 1 : 0)),
        [2 * BATCH, 1],
        { device },
      ),
    );
    ones = keep(fromArray(new Float32Array(BATCH).fill(1), [BATCH, 1], { device }));
    state.steps = 0;
    state.gaps.length = 0;
  }

  function dispose(): void {
    D.dispose();
    optD.dispose();
    optG.dispose();
    for (const t of [mu, logSigma, targets, ones]) t.dispose();
  }

  const fake = (): Tensor => add(mul(randn([BATCH, 1], { generator: gen, device }), exp(logSigma)), mu);

  function iteration(): void {
    for (let j = 0; state.train !== 'G only' && j < state.kD; j++) {
      tidy(() => {
        optD.zeroGrad();
        const real = add(mul(randn([BATCH, 1], { generator: gen, device }), PDATA.std), PDATA.mean);
        const x = concat([real, detach(fake())], 0);
        sigmoidBce(D.forward(x), targets).backward();
        optD.step();
      });
    }
    for (let j = 0; state.train !== 'D only' && j < state.kG; j++) {
      tidy(() => {
        optG.zeroGrad();
        sigmoidBce(D.forward(fake()), ones).backward(); // -log D(G(z)), the non-saturating loss
        optG.step();
      });
    }
    state.steps++;
  }

  async function draw(): Promise<void> {
    const [m, ls] = [(await mu.toArray())[0]!, (await logSigma.toArray())[0]!];
    state.pg = { mean: m, std: Math.exp(ls) };
    const dOut = noGrad(() => tidy(() => sigmoid(D.forward(fromArray(GRID, [GRID.length, 1], { device })))));
    const d = await dOut.toArray();
    dOut.dispose();
    const dStar = optimalDiscriminator(GRID, PDATA, state.pg);
    let gap = 0;
    let weight = 0;
    GRID.forEach((x, i) => {
      const w = 0.5 * (gaussianPdf(x, PDATA.mean, PDATA.std) + gaussianPdf(x, state.pg.mean, state.pg.std));
      gap += w * Math.abs(d[i]! - dStar[i]!);
      weight += w;
    });
    state.gaps.push(gap / weight);
    const samples = Float32Array.from(ARROW_Z, (z) => state.pg.mean + state.pg.std * z);
    const push = await sampleGradient(D, samples, device);
    state.arrows = Array.from(push);
    const arrows = Array.from(samples).flatMap((x, i) => arrow(x, ARROW_Y, Math.max(-ARROW_MAX, Math.min(ARROW_MAX, -ARROW_SCALE * push[i]!))));
    const curve = (name: string, f: (x: number, i: number) => number, color: string): Series => ({
      name,
      color,
      points: Array.from(GRID, (x, i) => [x, f(x, i)] as [number, number]),
    });
    // The y axis grows to show both densities' peaks (a narrow p_g peaks far above 1).
    const peak = Math.max(gaussianPdf(PDATA.mean, PDATA.mean, PDATA.std), gaussianPdf(state.pg.mean, state.pg.mean, state.pg.std));
    state.yMax = peak > 1 ? Math.ceil(peak * 1.05 * 2) / 2 : 1;
    $('toy-plot').innerHTML = chartGrid(
      [
        {
          title: `step ${state.steps}: p_g = N(${state.pg.mean.toFixed(2)}, ${state.pg.std.toFixed(2)}²)`,
          xLabel: 'x',
          yRange: [0, state.yMax],
          legend: 'below',
          width: 900,
          height: 320,
          series: [
            curve('p_data', (x) => gaussianPdf(x, PDATA.mean, PDATA.std), '#111'),
            curve('p_g', (x) => gaussianPdf(x, state.pg.mean, state.pg.std), '#17803d'),
            curve('D(x)', (_, i) => d[i]!, '#1f5fd6'),
            curve('D* = p_data / (p_data + p_g)', (_, i) => dStar[i]!, '#d6721f'),
            { name: "G's gradient at its samples", color: '#b3261e', points: arrows },
          ],
          markers: false,
        },
      ],
      { cols: 1, idPrefix: 'toy-chart' },
    );
    $('toy-numbers').textContent =
      `step ${state.steps} · training ${state.train} · k_D ${state.kD} · k_G ${state.kG} · lr_D ${state.lrD} · lr_G ${state.lrG} · mean |D − D*| ${state.gaps[state.gaps.length - 1]!.toFixed(4)} · arrows: −${ARROW_SCALE} · d(−log D(x))/dx at G's samples`;
  }

  const serial = runButtons('toy', status, {
    state,
    iterate: iteration,
    draw,
    reset() {
      dispose();
      build();
    },
  });
  readBoxes();
  void serial(async () => {
    device = await devicePromise;
    build();
    await draw();
  });
  return state;
}
