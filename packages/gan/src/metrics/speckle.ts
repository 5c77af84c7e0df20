/**
 * Speckle: how many isolated lit specks a sample has, the defect that keeps a briefly trained G's
 * digits from looking like MNIST and drags its Parzen estimate down (one stray lit pixel moves a
 * sample far, in L2, from every test digit).
 *
 * A speck is an 8-connected blob of at most `maxBlobPixels` (3) pixels brighter than `threshold`
 * (0.5). The stroke of a digit is one large blob; a speck is a blob that small. MNIST's own
 * validation images have about 0.02 specks per image, so a figure near that means samples a person
 * would not call speckled; the runs of the first no-GPU preset left 2 to 4.
 *
 * Computed on the host (a flood fill per image); it reads the samples once.
 */

export interface SpeckleOptions {
  /** Image width and height (MNIST: 28). */
  side?: number;
  /** A pixel is lit above this (0.5). */
  threshold?: number;
  /** Blobs of at most this many lit pixels are specks (3). */
  maxBlobPixels?: number;
}

/** Small isolated specks per sample, a check of sample cleanliness. */
export interface SpeckleResult {
  images: number;
  /** Specks per image, averaged over the images. */
  specksPerImage: number;
  /** The share of images with at least one speck. */
  imagesWithSpecks: number;
}

/** Counts the specks of `n` square images stored row-major one after another in `pixels`. */
export function speckle(pixels: Float32Array, n: number, opts: SpeckleOptions = {}): SpeckleResult {
  const side = opts.side ?? 28;
  const threshold = opts.threshold ?? 0.5;
  const maxBlob = opts.maxBlobPixels ?? 3;
  const area = side * side;
  if (!Number.isInteger(n) || n < 1 || pixels.length < n * area) {
    throw new RangeError(`speckle: expected ${n} images of ${side}x${side} (${n * area} values), got ${pixels.length}`);
  }
  let specks = 0;
  let withSpecks = 0;
  for (let img = 0; img < n; img++) {
    const imageSpecks = litBlobs(pixels, img * area, { side, threshold }).filter((blob) => blob.length <= maxBlob).length;
    specks += imageSpecks;
    if (imageSpecks > 0) withSpecks++;
  }
  return { images: n, specksPerImage: specks / n, imagesWithSpecks: withSpecks / n };
}

/**
 * The 8-connected blobs of one image's pixels brighter than `threshold`: each a list of pixel
 * indices within the image (row-major), found by a flood fill. The image starts at `offset` in
 * `pixels`. `speckle` counts the small ones; benchmarks/src/speck-anatomy.ts describes them.
 */
export function litBlobs(pixels: Float32Array, offset: number, opts: Pick<SpeckleOptions, 'side' | 'threshold'> = {}): number[][] {
  const side = opts.side ?? 28;
  const threshold = opts.threshold ?? 0.5;
  const area = side * side;
  const seen = new Uint8Array(area);
  const stack = new Int32Array(area);
  const blobs: number[][] = [];
  for (let p = 0; p < area; p++) {
    if (seen[p] || !(pixels[offset + p]! > threshold)) continue;
    const blob: number[] = [];
    let top = 0;
    stack[top++] = p;
    seen[p] = 1;
    while (top > 0) {
      const q = stack[--top]!;
      blob.push(q);
      const r = (q / side) | 0;
      const c = q - r * side;
      for (let dr = -1; dr <= 1; dr++) {
        const rr = r + dr;
        if (rr < 0 || rr >= side) continue;
        for (let dc = -1; dc <= 1; dc++) {
          const cc = c + dc;
          if (cc < 0 || cc >= side) continue;
          const nq = rr * side + cc;
          if (seen[nq] || !(pixels[offset + nq]! > threshold)) continue;
          seen[nq] = 1;
          stack[top++] = nq;
        }
      }
    }
    blobs.push(blob);
  }
  return blobs;
}
