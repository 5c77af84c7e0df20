import { describe, it, expect, afterEach } from 'vitest';
import { autoProbe, getDevice, lastAutoChoice, type Device } from '@saddle/tensor';
import { matmulProbe } from '@saddle/ops';

// The machines the tests run on have a software WebGPU adapter (lavapipe) and no GPU, so `auto`
// must measure. The probe is replaced here by fixed times to check the decision itself.
describe("useDevice('auto') without a hardware GPU", () => {
  const saved = { ...autoProbe };
  afterEach(() => Object.assign(autoProbe, saved));

  const withTimes = (wasmMs: number | null, gpuMs: number | null) => {
    autoProbe.label = 'test probe';
    autoProbe.run = async (d: Device) => {
      const t = d.kind === 'wasm' ? wasmMs : gpuMs;
      if (t === null) throw new Error(`no kernel on ${d.kind}`);
      return t;
    };
  };

  it('takes the faster of wasm and the software adapter, and says why', async () => {
    process.env.XDG_RUNTIME_DIR ??= '/tmp';
    withTimes(1, 2);
    const a = await getDevice('auto');
    expect(a.kind).toBe('wasm');
    // auto's wasm device runs the relaxed-SIMD build where the engine has it (Node 20 with the flag the Node entry sets).
    expect(a.name).toMatch(/relaxed-simd/);
    expect(lastAutoChoice()!.device).toBe(a);
    expect(lastAutoChoice()!.reason).toMatch(/no hardware GPU; wasm was faster than the software adapter \(test probe: wasm 1\.00 ms, software WebGPU 2\.00 ms\)/);
    a.destroy();
    withTimes(3, 2);
    const b = await getDevice('auto');
    expect(b.kind).toBe('webgpu');
    expect(lastAutoChoice()!.reason).toMatch(/the software adapter was faster than wasm/);
    b.destroy();
  });

  it('a device that cannot run the probe loses, with the error in the reason', async () => {
    withTimes(null, 2);
    const b = await getDevice('auto');
    expect(b.kind).toBe('webgpu');
    expect(lastAutoChoice()!.reason).toMatch(/ran the probe and wasm did not .*wasm failed \(no kernel on wasm\)/);
    b.destroy();
  });

  it('the real probe times a matmul on a device', async () => {
    const gpu = await getDevice('webgpu');
    const ms = await matmulProbe(gpu);
    expect(ms).toBeGreaterThan(0);
    gpu.destroy();
  });
});
