import { describe, it, expect } from 'vitest';
import { getDevice, lastAutoChoice, type AutoProbe, type Device } from '@saddle/tensor';
import { matmulAutoProbe, matmulProbe, getDevice as opsGetDevice, useDevice as opsUseDevice } from '@saddle/ops';
import * as autograd from '@saddle/autograd';
import * as all from '@saddle/all';

// The machines the tests run on have a software WebGPU adapter (lavapipe) and no GPU, so `auto`
// must measure. The probe is passed here with fixed times to check the decision itself.
describe("useDevice('auto') without a hardware GPU", () => {
  const withTimes = (wasmMs: number | null, gpuMs: number | null): { probe: AutoProbe } => ({
    probe: {
      label: 'test probe',
      run: async (d: Device) => {
        const t = d.kind === 'wasm' ? wasmMs : gpuMs;
        if (t === null) throw new Error(`no kernel on ${d.kind}`);
        return t;
      },
    },
  });

  it('takes the faster of wasm and the software adapter, and says why', async () => {
    process.env.XDG_RUNTIME_DIR ??= '/tmp';
    const a = await getDevice('auto', withTimes(1, 2));
    expect(a.kind).toBe('wasm');
    // auto's wasm device runs the relaxed-SIMD build where the engine has it (Node 20 with the flag the Node entry sets).
    expect(a.name).toMatch(/relaxed-simd/);
    expect(lastAutoChoice()!.device).toBe(a);
    expect(lastAutoChoice()!.reason).toMatch(
      /no hardware GPU; wasm was faster than the software adapter \(test probe: wasm 1\.00 ms, software WebGPU 2\.00 ms\)/,
    );
    a.destroy();
    const b = await getDevice('auto', withTimes(3, 2));
    expect(b.kind).toBe('webgpu');
    expect(lastAutoChoice()!.reason).toMatch(/the software adapter was faster than wasm/);
    b.destroy();
  });

  it('a device that cannot run the probe loses, with the error in the reason', async () => {
    const b = await getDevice('auto', withTimes(null, 2));
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

  it("the probe is an argument: tensor's auto without one measures nothing; ops, autograd and all pass the matmul probe", async () => {
    const bare = await getDevice('auto');
    expect(bare.kind).toBe('webgpu');
    expect(lastAutoChoice()!.reason).toMatch(/no probe to compare it with wasm/);
    bare.destroy();
    // The public entries users call are ops' (tensor's with the probe), and an explicit probe wins.
    expect(autograd.useDevice).toBe(opsUseDevice);
    expect(all.useDevice).toBe(opsUseDevice);
    expect(autograd.getDevice).toBe(opsGetDevice);
    expect(matmulAutoProbe.run).toBe(matmulProbe);
    const d = await opsGetDevice('auto', withTimes(1, 2));
    expect(lastAutoChoice()!.reason).toMatch(/test probe: wasm 1\.00 ms/);
    d.destroy();
  });
});
