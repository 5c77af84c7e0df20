/**
 * The page: picks a device (WebGPU on the page's adapter, else the wasm device, else the CPU;
 * `?device=webgpu|wasm|cpu` forces one; `?timing=short` shortens the kernel timings), then wires the four panels. `window.saddleDemo` exposes
 * each panel's state for the end-to-end tests (demo/test/).
 */
import { browserHost, setHost, useDevice, type Device, type DeviceRequest } from '@saddle/autograd';
import { ganPanel } from './gan-panel.js';
import { toyPanel } from './toy-panel.js';
import { kernelsPanel } from './kernels/panel.js';
import { gradcheckPanel } from './gradcheck-panel.js';
import { $ } from './dom.js';

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
  const device = await useDevice(request);
  $('device').textContent = `${device.name.startsWith(device.kind) ? '' : `${device.kind}: `}${device.name}${crossOriginIsolated ? '' : ' (page not cross-origin isolated: one thread)'}`;
  return device;
}

async function main(): Promise<void> {
  const device = await pickDevice();
  const demo = {
    device: device.kind,
    gan: ganPanel(device, params.get('preset') ?? 'quick'),
    toy: toyPanel(device),
    kernels: kernelsPanel(device, params.get('timing') === 'short'),
    gradcheck: gradcheckPanel(device),
  };
  (globalThis as { saddleDemo?: unknown }).saddleDemo = demo;
}

main().catch((e: unknown) => {
  $('device').textContent = 'failed';
  $('device-note').textContent = e instanceof Error ? e.message : String(e);
  console.error(e);
});
