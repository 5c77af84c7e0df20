/**
 * Runs once before the suites. Kernel tests run on a real WebGPU adapter (lavapipe in CI); with no
 * adapter the run fails here with the reason, so nothing is skipped silently.
 */
import { createWebGpuDevice } from '@saddle/tensor';

export default async function requireAdapter(): Promise<void> {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  let device;
  try {
    device = await createWebGpuDevice();
  } catch (e) {
    throw new Error(
      `No WebGPU adapter: ${(e as Error).message}.\n` +
        'The kernel tests need one. On Debian: apt-get install libvulkan1, and mesa-vulkan-drivers from bookworm-backports (see .ci/run).',
    );
  }
  console.log(`WebGPU adapter for the tests: ${device.name}`);
  // Dawn's GPU object stays referenced until the process exits. Without this, the vitest main
  // process crashed just after this setup in 5 runs of the whole suite in a row on a saturated
  // 2-core machine (a futex error, a mutex assertion, a segfault), presumably when the object was
  // garbage-collected while the workers started; with it, the next run went through.
  held = device.instance;
  device.destroy();
}

let held: unknown = null;
