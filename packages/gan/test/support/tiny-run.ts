import { fileURLToPath } from 'node:url';

/** The gan CLI's entry, which the tests that start real processes run with `node --import tsx`. */
export const GAN_CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** The repository root: those processes' working folder (where tsx finds tsconfig.json). */
export const REPO_ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

/** The flags of a tiny run on the CPU (the tiny preset, 100 training and 20 validation images) into `out`. */
export function tinyRunFlags(out: string, { epochs, seed = 1 }: { epochs: number; seed?: number }): string[] {
  return [
    '--preset',
    'tiny',
    '--device',
    'cpu',
    '--no-progress',
    '--train-n',
    '100',
    '--val-n',
    '20',
    '--epochs',
    String(epochs),
    '--seed',
    String(seed),
    '--out',
    out,
  ];
}
