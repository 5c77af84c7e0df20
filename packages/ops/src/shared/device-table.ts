import type { Device, DeviceKind } from '@saddle/tensor';

/**
 * One implementation of an op per device kind, written in the op's folder side by side:
 * `<op>.cpu.ts`, `<op>.wasm.ts`, `<op>.webgpu.ts` (whose shader is `<op>.wgsl.ts`). The op's
 * `<op>.ts` checks its inputs, then calls `table[device.kind]`: there is no if/else over kinds, and
 * a table that lacks a device (a new kind added to DeviceKind, a launcher not written yet) fails
 * to compile.
 */
export type DeviceTable<Launch extends (...args: never[]) => unknown> = { readonly [K in DeviceKind]: Launch };

/** The table's implementation for `device`. */
export function forDevice<Launch extends (...args: never[]) => unknown>(table: DeviceTable<Launch>, device: Device): Launch {
  return table[device.kind];
}

/** Whether a device kind holds f64 tensors: the CPU only (wasm and WebGPU refuse them in `alloc`). */
export const HOLDS_F64: { readonly [K in DeviceKind]: boolean } = { cpu: true, wasm: false, webgpu: false };
