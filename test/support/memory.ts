/** The assertions of the long-run memory tests: counts flat from the first snapshot on, nothing left behind. */
import { expect } from 'vitest';
import { memory, type Device, type MemoryInfo } from '@saddle/tensor';

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

/**
 * Tensors created and never disposed: live ones plus those the garbage collector freed. Unlike
 * `liveTensors` alone, the difference of two readings does not depend on whether the collector
 * ran in between (freeing an earlier test's dropped tensors while an `await` let it), so a test
 * that awaits between its readings compares this.
 */
export function undisposedTensors(device?: Device): number {
  const m = memory(device);
  return m.liveTensors + m.collectedTensors;
}
