export { SaddleError, AllocationError, fmtShape, fmtBytes } from './errors.js';
export { beginOp } from './allocate.js';
export {
  type DType,
  type TypedArray,
  DTYPES,
  allocArray,
  bytesPerElement,
  dtypeOf,
  isFloat,
  toTypedArray,
  assertDType,
  checkDType,
  checkIntegerValues,
} from './dtype.js';
export {
  type Shape,
  sizeOf,
  contiguousStrides,
  isContiguous,
  shapesEqual,
  checkShape,
  broadcastShapes,
  broadcastStrides,
  normalizeAxes,
  resolveReshape,
} from './shape.js';
export { Storage } from './storage.js';
export type { Device, DeviceKind, DeviceMemory } from './devices/device.js';
export { CpuDevice, cpu } from './devices/cpu.js';
export {
  WebGpuDevice,
  createWebGpuDevice,
  WaitEstimator,
  isSoftwareAdapterName,
  WANTED_LIMITS,
  WANTED_FEATURES,
  type DispatchSpec,
  type CompiledKernel,
  type DeviceCounters,
  type WebGpuOptions,
} from './devices/webgpu.js';
export { WasmDevice, createWasmDevice, type WasmOptions } from './devices/wasm.js';
export type { WasmKernels, WasmKernelName, WasmKernelArgs, WasmConstantName } from '@saddle/kernels-wasm';
export { WasmHeap, sizeClass } from './devices/wasm-heap.js';
export { BufferPool } from './devices/buffer-pool.js';
export { UniformArena } from './devices/uniform-arena.js';
export {
  defaultDevice,
  useDevice,
  getDevice,
  isWebGpu,
  isWasm,
  lastAutoChoice,
  type AutoChoice,
  type AutoProbe,
  type DeviceRequest,
  type DeviceOptions,
} from './devices/default.js';
export { Params } from './params.js';
export { Tensor, gradHooks, liveTensorCount, type BackwardFlags } from './tensor.js';
export { formatValues, type FormatOptions, type FormatContext } from './format.js';
export { tensor, fromArray, full, zeros, ones, scalar, zerosLike, onesLike, type CreateOptions } from './create.js';
export { tidy, keep, scopeDepth } from './scope.js';
export { processWide, claimSingleCopy } from './process-wide.js';
export { memory, type MemoryInfo } from './memory.js';
export { host, setHost, browserHost, type Host, type HostWorker } from './host/host.js';
