/**
 * What the two toys (1-D and 2-D) share, GAN Lab style: number boxes with a range (a refused value
 * is named beside the boxes and the last valid one stays in use), the speeds, and the run buttons
 * (start, pause, one step, reset) around a loop that runs the speed's iterations, then draws, once
 * per animation frame. Every job on the toy's model runs in one queue (`serial`), so a click never
 * interleaves with a frame.
 */
import { $, guarded } from './dom.js';
import { readBox, type NumberBox } from './number-box.js';

export { readBox, type NumberBox };

/**
 * Reads every box into `values` (a valid value is used from the next step on), marks the refused
 * boxes, and returns why each was refused, with the value still in use.
 */
export function readNumberBoxes<K extends string>(boxes: Record<K, NumberBox>, values: Record<K, number>): string[] {
  const problems: string[] = [];
  for (const [key, box] of Object.entries(boxes) as [K, NumberBox][]) {
    const input = $<HTMLInputElement>(box.id);
    const v = readBox(box, input.value);
    input.classList.toggle('bad', v instanceof Error);
    if (v instanceof Error) problems.push(`${v.message} (still using ${values[key]})`);
    else values[key] = v;
  }
  return problems;
}

/** Shows the refused inputs in `el` (empty when none). */
export function showProblems(el: HTMLElement, problems: readonly string[]): void {
  el.textContent = problems.join('; ');
  el.className = problems.length ? 'bad' : '';
}

/** Speeds: iterations per animation frame, 'max' (50 ms of work a frame) or 'slow' (one every 300 ms). */
export const SPEEDS: readonly string[] = ['slow', '1', '2', '10', 'max'];
const SLOW_MS = 300;
const MAX_FRAME_MS = 50;

/** What the run buttons drive: the toy's running flag and speed, one iteration, a frame, a reset. */
export interface RunTarget {
  state: { running: boolean; speed: string };
  /** One iteration (synchronous: the device's work is queued). */
  iterate(): void;
  draw(): Promise<void>;
  /** Rebuilds the model from its start (the queue runs draw after it). */
  reset(): void;
}

/**
 * Wires `${prefix}-start`, `-pause`, `-step` and `-reset`, and returns the toy's job queue: a job
 * runs after the ones before it, and an error shows in `status`.
 */
export function runButtons(prefix: string, status: HTMLElement, target: RunTarget): (job: () => Promise<void>) => Promise<void> {
  const { state } = target;
  let busy = Promise.resolve();
  const serial = (job: () => Promise<void>) => (busy = busy.then(() => guarded(status, job)));

  async function loop(): Promise<void> {
    while (state.running) {
      await serial(async () => {
        if (!state.running) return;
        const t0 = performance.now();
        if (state.speed === 'max') while (performance.now() - t0 < MAX_FRAME_MS) target.iterate();
        else for (let i = 0; i < (Number(state.speed) || 1); i++) target.iterate();
        await target.draw();
      });
      if (state.speed === 'slow') await new Promise((r) => setTimeout(r, SLOW_MS));
      await new Promise((r) => requestAnimationFrame(() => r(null)));
    }
  }

  $(`${prefix}-start`).onclick = () => {
    if (state.running) return;
    state.running = true;
    void loop();
  };
  $(`${prefix}-pause`).onclick = () => {
    state.running = false;
  };
  $(`${prefix}-step`).onclick = () => {
    state.running = false;
    void serial(async () => {
      target.iterate();
      await target.draw();
    });
  };
  $(`${prefix}-reset`).onclick = () => {
    state.running = false;
    void serial(async () => {
      target.reset();
      await target.draw();
    });
  };
  return serial;
}
