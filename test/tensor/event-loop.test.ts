import { describe, it, expect, vi } from 'vitest';
import { ones } from '@saddle/tensor';
import { add } from '@saddle/ops';
import { webgpu } from '../support/devices.js';

describe('long loops and the event loop', () => {
  const loop = async (d: Awaited<ReturnType<typeof webgpu>>, submits: number, yieldEvery: number) => {
    const x = ones([4], { device: d });
    for (let i = 1; i <= submits; i++) {
      add(x, 1).dispose();
      d.flush();
      if (i % yieldEvery === 0) await new Promise(setImmediate);
    }
    x.dispose();
  };

  it('a loop that yields now and then is not warned about', async () => {
    const d = await webgpu();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await loop(d, 2500, 500);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('2000 submits without the event loop turning give one warning that names the fix', async () => {
    const d = await webgpu();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await new Promise(setImmediate);
    await loop(d, 4100, Infinity);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/2000 submits without the event loop turning.*await new Promise\(setImmediate\)/);
    warn.mockRestore();
    await d.sync();
  });
});
