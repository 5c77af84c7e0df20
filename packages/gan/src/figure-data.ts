/**
 * What the figures show, as numbers: G's samples from fixed z batches, the paper's Figure 3
 * interpolation in z space, nearest training images (on the device), and the curves as SVG text.
 * Browser-safe; ./run/figures.ts encodes the pictures as PNG files (Node).
 */
import { Generator, argmax, fromArray, matmul, max, mul, neg, noGrad, reshape, square, sub, sum, tidy, type Device, type Tensor } from '@saddle/autograd';
import { chartGrid, type LineChartSpec, type Series } from './io/svg.js';
import type { EpochRecord, ImageSet } from './train/records.js';
import { deriveSeed } from './train/rng.js';
import type { GanTrainer } from './train/trainer.js';

/** A fixed z batch for the figures (the same every epoch, so grids are comparable over training). */
export function figureNoise(trainer: GanTrainer, n: number, stream: string): Tensor {
  return trainer.sampleZ(n, new Generator(deriveSeed(trainer.config.seed, stream)));
}

/** G(z) read back to the CPU, one sample per row. */
export async function samplesOf(trainer: GanTrainer, z: Tensor): Promise<Float32Array> {
  const x = trainer.generate(z);
  try {
    return Float32Array.from(await x.toArray());
  } finally {
    x.dispose();
  }
}

/**
 * Points on straight lines in z space: `rows` lines, each from one random z to another in `cols`
 * evenly spaced steps (both ends included), as a [rows * cols, zDim] matrix, row-major by line.
 */
export function interpolationNoise(start: Float32Array, end: Float32Array, rows: number, cols: number, zDim: number): Float32Array {
  const out = new Float32Array(rows * cols * zDim);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const t = cols === 1 ? 0 : c / (cols - 1);
      const o = (r * cols + c) * zDim;
      for (let j = 0; j < zDim; j++) out[o + j] = (1 - t) * start[r * zDim + j]! + t * end[r * zDim + j]!;
    }
  }
  return out;
}

/**
 * Figure 3's images: `rows` straight lines in z space (fixed ends, from the seed), each walked in
 * `cols` steps, as one Float32Array of `cols` images (784 pixels each) per row.
 */
export async function interpolationImages(trainer: GanTrainer, rows = 8, cols = 12): Promise<Float32Array[]> {
  const zDim = trainer.config.generator.zDim;
  const ends = figureNoise(trainer, 2 * rows, 'figure-interpolation');
  const e = Float32Array.from(await ends.toArray());
  ends.dispose();
  const path = interpolationNoise(e.subarray(0, rows * zDim), e.subarray(rows * zDim), rows, cols, zDim);
  const z = fromArray(path, [rows * cols, zDim], { device: trainer.device });
  try {
    const images = await samplesOf(trainer, z);
    const per = images.length / rows;
    return Array.from({ length: rows }, (_, r) => images.subarray(r * per, (r + 1) * per));
  } finally {
    z.dispose();
  }
}

/**
 * For each row of `queries` [S, d], the index of its nearest row of `images` (n x d) in L2 distance,
 * computed on the device: argmin_j |x_j|^2 - 2 q . x_j (|q|^2 is the same for every j), with the
 * dot products as one matmul per chunk of `chunk` training images.
 */
export async function nearestRows(queries: Tensor, images: ImageSet, device: Device, chunk = 10_000): Promise<Int32Array> {
  const s = queries.shape[0]!;
  const best = new Float64Array(s).fill(Infinity);
  const index = new Int32Array(s);
  for (let start = 0; start < images.n; start += chunk) {
    const m = Math.min(chunk, images.n - start);
    const x = fromArray(images.images.subarray(start * images.d, (start + m) * images.d), [m, images.d], { device });
    const [idx, score] = tidy(() =>
      noGrad(() => {
        const norms = reshape(sum(square(x), 1), [1, m]);
        const dist = sub(norms, mul(matmul(queries, x, { transB: true }), 2)); // [S, m]
        const negDist = neg(dist);
        // max and argmax share one order (NaN first, then larger, ties to the lower index), so
        // score[q] is negDist at index idx[q]; negation is exact, so -score[q] is that distance.
        return [argmax(negDist, 1), max(negDist, 1)];
      }),
    );
    x.dispose();
    const ii = await idx.toArray();
    const ss = await score.toArray();
    idx.dispose();
    score.dispose();
    for (let q = 0; q < s; q++) {
      const j = ii[q]!;
      const v = -ss[q]!;
      if (v < best[q]!) {
        best[q] = v;
        index[q] = start + j;
      }
    }
  }
  return index;
}

function series(name: string, history: readonly EpochRecord[], f: (r: EpochRecord) => number | null | undefined): Series {
  return { name, points: history.flatMap((r) => (f(r) == null ? [] : [[r.epoch, f(r)!] as [number, number]])) };
}

/** curves.svg: losses, D's mean outputs, V(D, G) on validation, and Parzen estimates (when computed), by epoch. */
export function curvesFigure(history: readonly EpochRecord[], title?: string): string {
  const panels: LineChartSpec[] = [
    {
      title: 'Losses (mean over the epoch)',
      xLabel: 'epoch',
      yLabel: 'cross-entropy',
      series: [series('D loss', history, (r) => r.dLoss), series('G loss', history, (r) => r.gLoss)],
    },
    {
      title: "D's outputs (training, with dropout)",
      xLabel: 'epoch',
      yLabel: 'mean D',
      yRange: [0, 1],
      series: [series('D(x)', history, (r) => r.dReal), series('D(G(z))', history, (r) => r.dFake)],
    },
  ];
  if (history.some((r) => r.value !== null)) {
    panels.push({
      title: 'V(D, G) on the validation set',
      xLabel: 'epoch',
      yLabel: 'E log D(x) + E log(1 - D(G(z)))',
      series: [
        series('V(D, G)', history, (r) => r.value),
        {
          name: '-log 4 (equilibrium)',
          points: history.length
            ? [
                [history[0]!.epoch, -Math.log(4)],
                [history[history.length - 1]!.epoch, -Math.log(4)],
              ]
            : [],
        },
      ],
    });
  }
  if (history.some((r) => r.parzen)) {
    panels.push({
      title: 'Parzen window log-likelihood (test)',
      xLabel: 'epoch',
      yLabel: 'mean log p(x)',
      series: [series('Parzen', history, (r) => r.parzen?.mean)],
    });
  }
  return chartGrid(panels, { cols: 2, title });
}

/** Writes samples as raw little-endian float32, n x d (the `gan sample` format). */
export function float32LittleEndian(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}
