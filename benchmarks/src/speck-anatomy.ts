/**
 * Where a generator's specks are (issue 22 point 4): reads samples written by `pnpm gan sample RUN
 * --n N --out FILE` and describes the specks that `gan eval` counts (8-connected blobs of at most 3
 * pixels above 0.5, packages/gan/src/metrics/speckle.ts): their sizes, how far each lies from the
 * nearest large blob (the digit's strokes), how bright it is, and how the count moves with the
 * threshold. Stray pixels in the background would lie far from the strokes; fragments of a broken
 * stroke lie a few pixels from them and only just above the threshold.
 *
 *   pnpm gan sample RUN --n 2000 --out /tmp/samples.f32
 *   pnpm exec tsx benchmarks/src/speck-anatomy.ts /tmp/samples.f32
 */
import { readFileSync } from 'node:fs';
import { litBlobs, speckle } from '@saddle/gan';

const SIDE = 28;
const AREA = SIDE * SIDE;
const MAX_SPECK = 3;

const file = process.argv[2];
if (!file) {
  console.error('usage: speck-anatomy.ts SAMPLES.f32 (raw little-endian float32, N x 784, from `pnpm gan sample`)');
  process.exit(2);
}
const bytes = readFileSync(file);
if (bytes.byteLength % (AREA * 4) !== 0) {
  console.error(`speck-anatomy: ${file} holds ${bytes.byteLength} bytes, not a whole number of 28x28 float32 images`);
  process.exit(2);
}
const pixels = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const n = pixels.length / AREA;

const sizes = [0, 0, 0, 0];
const distances: number[] = [];
const peaks: number[] = [];
let alone = 0;
for (let i = 0; i < n; i++) {
  const base = i * AREA;
  const all = litBlobs(pixels, base, { threshold: 0.5 });
  const stroke = all.filter((b) => b.length > MAX_SPECK).flat();
  for (const b of all) {
    if (b.length > MAX_SPECK) continue;
    sizes[b.length]!++;
    peaks.push(Math.max(...b.map((p) => pixels[base + p]!)));
    if (stroke.length === 0) {
      alone++;
      continue;
    }
    // Chebyshev distance (8-connected steps) from the speck to the nearest stroke pixel.
    let d = Infinity;
    for (const p of b) {
      for (const s of stroke) {
        d = Math.min(d, Math.max(Math.abs(Math.floor(p / SIDE) - Math.floor(s / SIDE)), Math.abs((p % SIDE) - (s % SIDE))));
      }
    }
    distances.push(d);
  }
}

const quantiles = (xs: number[], qs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return qs.map((q) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!);
};
const specks = sizes[1]! + sizes[2]! + sizes[3]!;
console.log(`${n} samples from ${file}: ${(specks / n).toFixed(3)} specks per sample (gan eval's count: ${speckle(pixels, n).specksPerImage.toFixed(3)})`);
console.log(`speck sizes: 1 pixel ${sizes[1]}, 2 pixels ${sizes[2]}, 3 pixels ${sizes[3]}; in images with no stroke: ${alone}`);
if (distances.length) {
  const [d10, d25, d50, d75, d90] = quantiles(distances, [0.1, 0.25, 0.5, 0.75, 0.9]);
  const near = distances.filter((d) => d <= 4).length / distances.length;
  console.log(
    `distance to the nearest stroke pixel (8-connected steps): 10% ${d10}, 25% ${d25}, median ${d50}, 75% ${d75}, 90% ${d90}; within 4: ${(100 * near).toFixed(0)}%`,
  );
}
if (peaks.length) {
  const [p10, p50, p90] = quantiles(peaks, [0.1, 0.5, 0.9]);
  console.log(`brightest pixel of a speck: 10% ${p10!.toFixed(2)}, median ${p50!.toFixed(2)}, 90% ${p90!.toFixed(2)}`);
}
for (const threshold of [0.4, 0.5, 0.6, 0.7]) {
  console.log(`threshold ${threshold}: ${speckle(pixels, n, { threshold }).specksPerImage.toFixed(3)} specks per sample`);
}
