/** The assertions of the long-run memory tests: counts flat from the first snapshot on, nothing left behind. */
import { expect } from 'vitest';
import { memory, type Device, type MemoryInfo } from '@saddle/autograd';

/**
 * Every snapshot (taken after warm-up) holds the same counts as the first, and after a flush the
 * device holds exactly the live tensors and bytes it held `before` the run.
 */
export function expectFlatMemory<S extends { step: number }>(device: Device, before: MemoryInfo, snapshots: readonly S[]): void {
  const first = snapshots[0]!;
  for (const s of snapshots) expect({ ...s, step: 0 }, `step ${s.step}`).toEqual({ ...first, step: 0 });
  // And the run left nothing behind.
  device.flush();
  const after = memory(device);
  expect(after.liveTensors).toBe(before.liveTensors);
  expect(after.liveBytes).toBe(before.liveBytes);
}
