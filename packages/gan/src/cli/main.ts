/**
 * The GAN command line (`pnpm gan <command>`):
 *
 *   gan train [options]                train (or, with --resume RUN, continue) and write a run folder
 *   gan eval RUN [options]             Parzen-window log-likelihood of the test set (Table 1 protocol)
 *   gan sample RUN --n N --out FILE    N samples as raw little-endian float32, N x 784
 *
 * `gan train` with no flags trains on the best device found: the paper's configuration on a GPU,
 * the `quick` preset (9 minutes) on the CPU or a software WebGPU adapter (lavapipe, SwiftShader).
 *
 * This folder is the console only: flags.ts (usage, flags, config from flags), train.ts, eval.ts,
 * sample.ts, report.ts (progress bar, summary lines). The training run itself (deadline, signals,
 * checkpoints, figures) is the library's `runTraining` (run/training-run.ts); the library's
 * index exports nothing from here.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SaddleError } from '@saddle/autograd';
import { asFileSystemError } from '../io/atomic.js';
import { evaluate } from './eval.js';
import { CliError, USAGE, defaultIO, type CliIO } from './flags.js';
import { sample } from './sample.js';
import { train } from './train.js';

export { CliError, USAGE, type CliIO } from './flags.js';

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage error). */
export async function main(argv: readonly string[], io: CliIO = defaultIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'train':
        return await train(rest, io);
      case 'eval':
        return await evaluate(rest, io);
      case 'sample':
        return await sample(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new CliError(`unknown command '${command}'; expected train, eval, sample or help`);
    }
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`gan: error: ${e.message}`);
      io.err('Run `pnpm gan help` for the options.');
      return 2;
    }
    if (e instanceof SaddleError) {
      io.err(`gan: ${e.message}`);
      return 1;
    }
    // A file-system error not already said for a person (they are FileSystemErrors, above): the
    // path it names, and what to do.
    const path = (e as NodeJS.ErrnoException).path;
    if (e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string') {
      io.err(`gan: ${(path ? (asFileSystemError(e, (e as NodeJS.ErrnoException).syscall!, path) as Error) : e).message}`);
      return 1;
    }
    throw e;
  }
}

/** True when this file is the program being run (`pnpm gan`, i.e. `node --import tsx packages/gan/src/cli/main.ts`), not an import. */
const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;

if (isEntry) {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`gan: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
