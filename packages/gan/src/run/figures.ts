/**
 * The run folder's figures as PNG files (Node: pngjs): samples.png (a 10 x 10 grid of G's samples),
 * interpolation.png (the paper's Figure 3: rows of samples along straight lines in z space) and
 * nearest.png (Figure 2: samples beside their nearest training images). What they show is computed
 * in ./figure-data.ts (browser-safe), which also draws curves.svg.
 */
import { imageGrid, rowsGrid, sideBySide } from '../io/png.js';
import { figureNoise, interpolationImages, nearestRows, samplesOf } from '../figure-data.js';
import type { ImageSet } from '../train/records.js';
import type { GanTrainer } from '../train/trainer.js';

/** samples.png: a rows x cols grid of samples from a fixed z. */
export async function samplesFigure(trainer: GanTrainer, rows = 10, cols = 10): Promise<Uint8Array> {
  const z = figureNoise(trainer, rows * cols, 'figure-samples');
  try {
    return imageGrid(await samplesOf(trainer, z), { rows, cols, scale: 1 });
  } finally {
    z.dispose();
  }
}

/** interpolation.png (Figure 3): each row walks linearly from one z to another. */
export async function interpolationFigure(trainer: GanTrainer, rows = 8, cols = 12): Promise<Uint8Array> {
  return rowsGrid(await interpolationImages(trainer, rows, cols));
}

/** nearest.png (Figure 2): `rows x cols` samples on the left, each one's nearest training image at the same place on the right. */
export async function nearestFigure(trainer: GanTrainer, train: ImageSet, rows = 6, cols = 5): Promise<Uint8Array> {
  const z = figureNoise(trainer, rows * cols, 'figure-nearest');
  const samples = trainer.generate(z);
  z.dispose();
  try {
    const idx = await nearestRows(samples, train, trainer.device);
    const left = Float32Array.from(await samples.toArray());
    const right = new Float32Array(left.length);
    idx.forEach((j, q) => right.set(train.images.subarray(j * train.d, (j + 1) * train.d), q * train.d));
    return sideBySide(left, right, { rows, leftCols: cols, rightCols: cols });
  } finally {
    samples.dispose();
  }
}
