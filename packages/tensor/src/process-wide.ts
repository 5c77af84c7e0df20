import { SaddleError } from './errors.js';

/**
 * One process, one copy of saddle's state, even when a package is loaded twice.
 *
 * A package can be evaluated twice in one process: a script that imports a package's built `dist`
 * under this repo's tsconfig (whose `paths` send `@saddle/*` to `src`), a bundler that inlines one
 * copy and leaves another external, two versions in node_modules. Module-level state then splits in
 * two, and the failure is silent: autograd's ops record nodes of one copy, the other copy's backward
 * does not recognise them, and every `.grad` stays null. State that must be shared lives here, in
 * `globalThis` under a `Symbol.for` key that every copy finds:
 * - `processWide(key, layout, create)` returns the one value for `key` (created by the first copy);
 *   a copy whose `layout` differs (an incompatible version) gets a SaddleError naming the cause.
 * - `claimSingleCopy(pkg, url)` is for a package whose copies cannot be reconciled (@saddle/tensor:
 *   two Tensor classes, two default devices): a second copy throws at load time with the fix.
 */
interface Entry<T> {
  layout: number;
  value: T;
}

const slot = (key: string) => Symbol.for(`saddle:${key}`);
const registry = globalThis as unknown as Record<symbol, unknown>;

/**
 * One value per process under `key` (shared by every copy of the package), created on first use; `layout`
 * must match.
 */
export function processWide<T>(key: string, layout: number, create: () => T): T {
  const sym = slot(key);
  const existing = registry[sym] as Entry<T> | undefined;
  if (existing) {
    if (existing.layout !== layout) {
      throw new SaddleError(
        key,
        `two incompatible copies of saddle are loaded in this process (shared state layout ${existing.layout} and ${layout}); expected one copy: install one version, and import either the built packages (dist) or their sources everywhere`,
      );
    }
    return existing.value;
  }
  const entry: Entry<T> = { layout, value: create() };
  Object.defineProperty(registry, sym, { value: entry, enumerable: false, configurable: false, writable: false });
  return entry.value;
}

/** Throws a SaddleError if another copy of `pkg` (from a different URL) was loaded in this process. */
export function claimSingleCopy(pkg: string, url: string): void {
  const first = processWide(`${pkg} copy`, 1, () => ({ url }));
  if (first.url !== url) {
    throw new SaddleError(
      pkg,
      `a second copy is being loaded (from ${url}; the first came from ${first.url}). Two copies keep separate Tensor classes, devices and scopes, so tensors of one are foreign to the other. ` +
        "Expected one copy: import either the built packages (dist) or the sources everywhere. (This repo's tsconfig `paths` map @saddle/* to src, so a script that imports a package's dist under it loads a second copy.)",
    );
  }
}
