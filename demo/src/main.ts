/**
 * The page: picks a device (WebGPU on the page's adapter, else the wasm device, else the CPU;
 * `?device=webgpu|wasm|cpu` forces one; `?timing=short` shortens the kernel timings), then wires the panels. `window.saddleDemo` exposes
 * each panel's state for the end-to-end tests (demo/test/).
 *
 * The panels are wired at once, before the device is chosen (with no hardware GPU, `auto` times
 * wasm against the software adapter: many seconds): their selects are filled, MNIST downloads,
 * and a click waits for the device instead of doing nothing, while the device line says what is
 * being timed and for how long.
 */
import { browserHost, setHost, useDevice, type Device, type DeviceRequest } from '@saddle/autograd';
import { ganPanel } from './gan-panel.js';
import { toyPanel } from './toy-panel.js';
import { toy2dPanel } from './toy2d-panel.js';
import { kernelsPanel } from './kernels/panel.js';
import { gradcheckPanel } from './gradcheck-panel.js';
import { $ } from './dom.js';
import { Progress } from './progress.js';

const params = new URLSearchParams(location.search);

async function pickDevice(): Promise<Device> {
  // Show the library's fallback notice ("no WebGPU ...; using wasm ...") on the page as well.
  setHost({
    ...browserHost,
    notice(message) {
      $('device-note').textContent = message;
      browserHost.notice(message);
    },
  });
  const request = (params.get('device') ?? 'auto') as DeviceRequest;
  const what = request === 'auto' ? 'choosing a device (with no hardware GPU: timing wasm against the software WebGPU adapter)' : `starting ${String(request)}`;
  const device = await new Progress($('device')).during(what, () => useDevice(request), 0);
  $('device').textContent =
    `${device.name.startsWith(device.kind) ? '' : `${device.kind}: `}${device.name}${crossOriginIsolated ? '' : ' (page not cross-origin isolated: one thread)'}`;
  return device;
}

function main(): void {
  const device = pickDevice();
  const demo: Record<string, unknown> = {
    device: null,
    gan: ganPanel(device, params.get('preset') ?? 'quick'),
    toy: toyPanel(device),
    toy2d: toy2dPanel(device),
    gradcheck: gradcheckPanel(device),
    kernels: kernelsPanel(device, params.get('timing') === 'short'),
  };
  (globalThis as { saddleDemo?: unknown }).saddleDemo = demo;
  device.then(
    (d) => (demo.device = d.kind),
    (e: unknown) => {
      $('device').textContent = 'failed';
      $('device-note').textContent = e instanceof Error ? e.message : String(e);
      console.error(e);
    },
  );
}

main();
