/**
 * MNIST for the page: the four IDX files gzip-packed (about 11 MB instead of 55 MB; the dev server
 * and the static build both serve `mnist/<name>.gz`, see vite.config.ts), unpacked in the browser
 * with DecompressionStream, and kept in the Cache API (`caches`, where the page is a secure
 * context: https or localhost), so a second visit downloads nothing. Any static host works: the
 * files are plain binary, no Content-Encoding header is needed.
 */
import { SaddleError } from '@saddle/autograd';
import { fetchMnist, type Mnist } from '@saddle/gan';

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

/** The packed files under `baseUrl`, unpacked and split by @saddle/gan's fetchMnist; `onProgress` gets a line as each file arrives. */
export async function fetchMnistPacked(baseUrl: URL, onProgress: (line: string) => void = () => {}): Promise<Mnist> {
  let done = 0;
  let packedBytes = 0;
  onProgress(`loading MNIST (4 gzip-packed files, about 11 MB; cached after the first visit)…`);
  const unpacked = async (url: string): Promise<Uint8Array> => {
    const packed = await (await cachedFetch(url)).arrayBuffer();
    packedBytes += packed.byteLength;
    const bytes = new Uint8Array(await new Response(new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
    onProgress(`loading MNIST: ${++done} of 4 files (${(packedBytes / 1e6).toFixed(1)} MB packed)…`);
    return bytes;
  };
  return fetchMnist(baseUrl, { suffix: '.gz', fetchBytes: unpacked });
}
