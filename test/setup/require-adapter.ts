/**
 * Runs once before the suites. Kernel tests run on a real WebGPU adapter (lavapipe in CI); with no
 * adapter the run fails here with the reason, so nothing is skipped silently.
 *
 * The adapter is opened in a child process, not in vitest's own: Dawn keeps polling its instance
 * from the event loop after a device is destroyed, and in the long-lived main process that once
 * crashed the whole run (glibc "The futex facility returned an unexpected error code" from
 * dawn::native::InstanceBase::ProcessEvents on a freed instance). A child that exits cannot.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const probe = `
const { create, globals } = await import('webgpu');
Object.assign(globalThis, globals);
const adapter = await create([]).requestAdapter();
if (!adapter) { console.error('no adapter was found'); process.exit(2); }
const device = await adapter.requestDevice();
const i = adapter.info;
console.log([i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' '));
device.destroy();
process.exit(0);
`;

export default function requireAdapter(): void {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const root = fileURLToPath(new URL('../..', import.meta.url));
  // Resolved from the tensor package, which depends on `webgpu` (the root does not).
  const cwd = fileURLToPath(new URL('../../packages/tensor/', import.meta.url));
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(-3).join(' ');
    throw new Error(
      `No WebGPU adapter: ${why}.\n` +
        'The kernel tests need one. On Debian: apt-get install libvulkan1, and mesa-vulkan-drivers from bookworm-backports (see .ci/run).\n' +
        `(checked from ${root})`,
    );
  }
  console.log(`WebGPU adapter for the tests: ${r.stdout.trim().split('\n').pop()}`);
}
