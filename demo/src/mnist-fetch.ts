/**
 * MNIST for the page: the four IDX files gzip-packed (about 11 MB instead of 55 MB; the dev server
 * and the static build both serve `mnist/<name>.gz`, see vite.config.ts), unpacked in the browser
 * with DecompressionStream, and kept in the Cache API (`caches`, where the page is a secure
 * context: https or localhost), so a second visit downloads nothing. Any static host works: the
 * files are plain binary, no Content-Encoding header is needed (one that sends it anyway, as vite
 * preview does, has the browser unpack them, and the page takes them as they come).
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
    // A host that sends `.gz` files with Content-Encoding: gzip (vite preview's sirv does) has the
    // browser unpack them already: unpack only what still starts with gzip's magic bytes.
    const head = new Uint8Array(packed, 0, Math.min(2, packed.byteLength));
    const gzipped = head[0] === 0x1f && head[1] === 0x8b;
    const bytes = gzipped
      ? new Uint8Array(await new Response(new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer())
      : new Uint8Array(packed);
    onProgress(`loading MNIST: ${++done} of 4 files (${(packedBytes / 1e6).toFixed(1)} MB packed)…`);
    return bytes;
  };
  return fetchMnist(baseUrl, { suffix: '.gz', fetchBytes: unpacked });
}
