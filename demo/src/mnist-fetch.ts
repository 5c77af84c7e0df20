/**
 * MNIST for the page: the four IDX files gzip-packed (about 11 MB instead of 55 MB; the dev server
 * and the static build both serve `mnist/<name>.gz`, see vite.config.ts), unpacked in the browser
 * with DecompressionStream, and kept in the Cache API (`caches`, where the page is a secure
 * context: https or localhost), so a second visit downloads nothing. Any static host works: the
 * files are plain binary, no Content-Encoding header is needed.
 */
import { SaddleError } from '@saddle/autograd';
import { MNIST_FILES, splitMnist, type Mnist, type MnistBytes } from '@saddle/gan';

/** The Cache API store the packed files are kept in (bump the version when the files change). */
export const MNIST_CACHE = 'saddle-mnist-v1';

/** Fetches `url`, from the page's cache when it holds it (and stores it there otherwise). */
async function cachedFetch(url: string): Promise<Response> {
  const store = typeof caches === 'undefined' ? null : await caches.open(MNIST_CACHE).catch(() => null);
  const hit = await store?.match(url);
  if (hit) return hit;
  const res = await fetch(url);
  if (!res.ok) throw new SaddleError('mnist', `fetching ${url} gave HTTP ${res.status}; expected the gzip-packed IDX file there`);
  await store?.put(url, res.clone());
  return res;
}

/** The packed files under `baseUrl`, unpacked and split as @saddle/gan's fetchMnist does; `onProgress` gets a line as each file arrives. */
export async function fetchMnistPacked(baseUrl: URL, onProgress: (line: string) => void = () => {}): Promise<Mnist> {
  const keys = Object.keys(MNIST_FILES) as (keyof typeof MNIST_FILES)[];
  const urls = keys.map((k) => new URL(`${MNIST_FILES[k]}.gz`, baseUrl).href);
  let done = 0;
  let packedBytes = 0;
  onProgress(`loading MNIST (4 gzip-packed files, about 11 MB; cached after the first visit)…`);
  const got = await Promise.all(
    urls.map(async (url) => {
      const packed = await (await cachedFetch(url)).arrayBuffer();
      packedBytes += packed.byteLength;
      const bytes = new Uint8Array(await new Response(new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
      onProgress(`loading MNIST: ${++done} of 4 files (${(packedBytes / 1e6).toFixed(1)} MB packed)…`);
      return bytes;
    }),
  );
  const bytes = {} as MnistBytes;
  const sources = {} as Record<keyof typeof MNIST_FILES, string>;
  keys.forEach((k, i) => {
    bytes[k] = got[i]!;
    sources[k] = urls[i]!;
  });
  return splitMnist(bytes, sources);
}
