/**
 * The runners and the environment they share: one Dawn GPUDevice, used by saddle (wrapped in a
 * WebGpuDevice) and by tfjs-backend-webgpu (a WebGPUBackend constructed on the very same device),
 * so both libraries run on the same adapter, the same queue, the same driver state; and for the
 * CPU, saddle's wasm device (every core, and one thread) beside tfjs's wasm and cpu backends, and
 * saddle's CPU twins.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { cpu, createWasmDevice, createWebGpuDevice, WANTED_FEATURES, WANTED_LIMITS, type WasmDevice, type WebGpuDevice } from '@saddle/tensor';
import type * as TF from '@tensorflow/tfjs-core';
import type { Runner, RunnerId } from './harness.js';
import { registerTfjsGradients } from './tf-gradients.js';
import { saddleRunner, tfjsRunner } from './runner-kinds.js';
import { findTorchPython, torchRunner, TorchProcess, type TorchHello } from './torch-runner.js';
import { measureWasmPeak, type WasmPeak } from './roofline.js';

export { measureWasmPeak, type WasmPeak };

export interface AdapterRecord {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Whether the adapter is a CPU rasterizer (lavapipe/llvmpipe, SwiftShader, WARP) or a fallback adapter. */
  software: boolean;
  features: string[];
  limits: Record<string, number>;
}

export interface GpuEnv {
  gpu: GPU;
  adapter: GPUAdapter;
  device: GPUDevice;
  saddle: WebGpuDevice;
  info: AdapterRecord;
}

// The limits and features saddle asks for (tfjs-backend-webgpu needs no others) come from @saddle/tensor.
const REPORTED_LIMITS = ['maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBufferBindingSize', 'maxBufferSize'] as const;

/**
 * Every Dawn instance openGpu made, held for the life of the process: Dawn polls an instance from
 * the event loop after its devices are destroyed, and polling one the collector freed crashes the
 * process (see @saddle/tensor's host/node.ts, which holds its own the same way).
 */
const heldInstances: GPU[] = [];

/**
 * Opens the WebGPU adapter both libraries will share. `dawnFlags` go to Dawn's `create()` (e.g.
 * 'enable-dawn-features=allow_unsafe_apis'). Throws if there is no adapter.
 */
export async function openGpu(dawnFlags: string[] = []): Promise<GpuEnv> {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const mod = (await import('webgpu')) as { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create(dawnFlags);
  heldInstances.push(gpu);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter was found (on Linux: libvulkan1 and a Vulkan driver, e.g. Mesa lavapipe)');
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) requiredLimits[k] = adapter.limits[k];
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f));
  const i = adapter.info;
  const desc = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'adapter';
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: desc });
  const saddle = await createWebGpuDevice({ device });
  const text = `${i.vendor} ${i.architecture} ${i.device} ${i.description}`.toLowerCase();
  const info: AdapterRecord = {
    vendor: i.vendor,
    architecture: i.architecture,
    device: i.device,
    description: i.description,
    software: /llvmpipe|lavapipe|swiftshader|warp|software/.test(text) || Boolean((adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    features: [...device.features].sort(),
    limits: Object.fromEntries(REPORTED_LIMITS.map((k) => [k, device.limits[k]])),
  };
  return { gpu, adapter, device, saddle, info };
}

/** A short name for file names: 'lavapipe', 'nvidia-h100', else a slug of the adapter's description. */
export function deviceSlug(info: Pick<AdapterRecord, 'vendor' | 'architecture' | 'device' | 'description'> | null): string {
  if (!info) return 'cpu';
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  if (/llvmpipe|lavapipe/.test(text)) return 'lavapipe';
  if (/swiftshader/.test(text)) return 'swiftshader';
  const nv = text.match(/\b([ahlbv]\d{2,3}|rtx[ -]?\d{4}|gh200|gb200)\b/);
  if (/nvidia/.test(text) && nv) return `nvidia-${nv[1]!.replace(/[ -]/g, '')}`;
  return slug(info.description || info.device || `${info.vendor}-${info.architecture}`) || 'webgpu';
}

export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}

export type TfModule = typeof TF;
export type WasmModule = { setWasmPaths: (prefix: string) => void };

export interface TfEnv {
  tf: TfModule;
  backends: Set<string>;
  notes: string[];
}

/** Runs `fn` with tfjs's one-time Node.js banner ("install our node backend") kept off the console. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  const log = console.log;
  const drop =
    (orig: (...a: unknown[]) => void) =>
    (...a: unknown[]) => {
      if (typeof a[0] === 'string' && /tfjs-node|running TensorFlow\.js in Node|={10,}/.test(a[0])) return;
      orig(...a);
    };
  console.warn = drop(warn);
  console.log = drop(log);
  try {
    return await fn();
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

/**
 * Loads tfjs-core with the backends asked for. The webgpu backend is constructed on `gpu.device`
 * (the GPUDevice saddle uses) and registered under the name 'webgpu', replacing the factory that
 * would request an adapter of its own. `loadWasm` imports @tensorflow/tfjs-backend-wasm (left out
 * of the GPU host's bundle); its .wasm binaries are read from the package's dist folder.
 */
export async function loadTfjs(want: ReadonlySet<RunnerId>, gpu: GpuEnv | null, loadWasm?: () => Promise<WasmModule>): Promise<TfEnv> {
  const notes: string[] = [];
  const backends = new Set<string>();
  if (gpu) {
    // tfjs-backend-webgpu checks navigator.gpu when it is imported and when a backend is constructed.
    const g = globalThis as { navigator?: { gpu?: GPU } };
    if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu: gpu.gpu }, configurable: true, writable: true });
    else if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: gpu.gpu, configurable: true });
  }
  const tf = (await import('@tensorflow/tfjs-core')) as TfModule;
  await import('@tensorflow/tfjs-backend-cpu');
  tf.env().set('PROD', true);
  // tf.grad / tf.variableGrads need the gradient functions, which tfjs-core alone does not register.
  await registerTfjsGradients(tf);
  if (want.has('tfjs-cpu')) {
    await quietly(() => tf.setBackend('cpu'));
    backends.add('cpu');
  }
  if (want.has('tfjs-webgpu') && gpu) {
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => new WebGPUBackend(gpu.device, gpu.adapter.info), 3);
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs: the webgpu backend failed to initialize on the shared device');
    backends.add('webgpu');
  }
  if (want.has('tfjs-wasm')) {
    if (!loadWasm) {
      notes.push('tfjs-wasm is not available in this build (the GPU host bundle leaves the wasm backend out).');
    } else {
      const wasm = await loadWasm();
      const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
      wasm.setWasmPaths(dist + '/');
      if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialize');
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      notes.push(`tfjs-wasm: SIMD ${simd ? 'on' : 'off'}, ${threads ? 'multi-threaded' : 'single-threaded (tfjs disables wasm threads in Node)'}.`);
      backends.add('wasm');
    }
  }
  return { tf, backends, notes };
}

/**
 * saddle's wasm devices the runners use: every core (saddle-wasm) and one thread (saddle-wasm-1t),
 * both on the device's default build (relaxed SIMD where the engine has it), and every core on the
 * SIMD128 build (saddle-wasm-simd128).
 */
export interface WasmEnv {
  all: WasmDevice | null;
  one: WasmDevice | null;
  simd128: WasmDevice | null;
  /** The register-only f32x4 multiply-add rate of this machine on the default build (see measureWasmPeak). */
  peak: WasmPeak | null;
  /** The same on the SIMD128 build (no FMA), when saddle-wasm-simd128 runs. */
  peakSimd128: WasmPeak | null;
}

/**
 * Opens the wasm devices asked for (saddle-wasm: one thread per core; saddle-wasm-1t: one thread)
 * and measures the machine's f32x4 mul + add peak on them.
 */
export async function openWasm(want: ReadonlySet<RunnerId>): Promise<WasmEnv> {
  const all = want.has('saddle-wasm') ? await createWasmDevice() : null;
  const one = want.has('saddle-wasm-1t') ? await createWasmDevice({ threads: 1 }) : null;
  const simd128 = want.has('saddle-wasm-simd128') ? await createWasmDevice({ build: 'simd128' }) : null;
  const d = all ?? one;
  return { all, one, simd128, peak: d ? measureWasmPeak(d) : null, peakSimd128: simd128 ? measureWasmPeak(simd128) : null };
}

/** PyTorch's processes for the torch-cpu runners: every core (torch-cpu) and one thread (torch-cpu-1t). */
export interface TorchEnv {
  all: { proc: TorchProcess; hello: TorchHello } | null;
  one: { proc: TorchProcess; hello: TorchHello } | null;
  python: string;
}

/** Starts the torch processes asked for, or returns why it cannot (no Python that imports torch). */
export async function openTorch(want: ReadonlySet<RunnerId>, cores: number): Promise<TorchEnv | string> {
  const python = findTorchPython();
  if (!python) return 'no Python imports torch (SADDLE_PYTHON, python3, /usr/bin/python3); on Debian: apt-get install python3-torch libopenblas0-pthread';
  const start = async (threads: number) => {
    const proc = new TorchProcess(python, threads);
    return { proc, hello: await proc.hello() };
  };
  return {
    python,
    all: want.has('torch-cpu') ? await start(cores) : null,
    one: want.has('torch-cpu-1t') ? await start(1) : null,
  };
}

/** The runners for `ids`, in the order given, from what could be opened. */
export function makeRunners(
  ids: readonly RunnerId[],
  gpu: GpuEnv | null,
  tfe: TfEnv | null,
  wasm: WasmEnv | null = null,
  torch: TorchEnv | string | null = null,
): { runners: Runner[]; missing: string[] } {
  const runners: Runner[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    switch (id) {
      case 'saddle-webgpu': {
        if (!gpu) {
          missing.push(`${id}: no WebGPU adapter`);
          break;
        }
        runners.push(saddleRunner(id, gpu.saddle, `saddle's WGSL kernels on ${gpu.info.description || gpu.info.device}`));
        break;
      }
      case 'saddle-wasm':
      case 'saddle-wasm-1t':
      case 'saddle-wasm-simd128': {
        const device = id === 'saddle-wasm' ? wasm?.all : id === 'saddle-wasm-1t' ? wasm?.one : wasm?.simd128;
        if (!device) {
          missing.push(`${id}: no wasm device`);
          break;
        }
        runners.push(
          saddleRunner(
            id,
            device,
            `saddle's WebAssembly SIMD kernels (@saddle/kernels-wasm, ${device.build} build) on ${device.threads} thread${device.threads === 1 ? '' : 's'}`,
          ),
        );
        break;
      }
      case 'torch-cpu':
      case 'torch-cpu-1t': {
        const t = typeof torch === 'string' || !torch ? null : id === 'torch-cpu' ? torch.all : torch.one;
        if (!t) {
          missing.push(`${id}: ${typeof torch === 'string' ? torch : 'not started'}`);
          break;
        }
        runners.push(torchRunner(id, t.proc, t.hello));
        break;
      }
      case 'saddle-cpu':
        runners.push(saddleRunner(id, cpu, "saddle's CPU twins (plain TypeScript, float64 arithmetic)"));
        break;
      case 'tfjs-webgpu':
      case 'tfjs-wasm':
      case 'tfjs-cpu': {
        const name = id.slice('tfjs-'.length);
        if (!tfe || !tfe.backends.has(name)) {
          missing.push(`${id}: backend not loaded`);
          break;
        }
        runners.push(tfjsRunner(tfe.tf, name));
        break;
      }
    }
  }
  return { runners, missing };
}
