/**
 * A request to stop training after the current iteration: set by a signal (Ctrl-C is SIGINT; a
 * scheduler or `kill` sends SIGTERM), by a deadline, or by hand. The epoch loop checks it before
 * every iteration and lets the event loop run often enough for a handler to set it.
 */
import { constants } from 'node:os';

/** A request to stop training cleanly: from a signal, a deadline or a caller. */
export class StopRequest {
  /** Why a stop was asked for (a signal's name, 'deadline', ...), or null while none was. */
  reason: string | null = null;
  private deadline = Infinity;
  private handlers: [NodeJS.Signals, () => void][] = [];

  /** True once a stop was asked for, or the deadline (performance.now() time) has passed. */
  get requested(): boolean {
    if (this.reason === null && performance.now() >= this.deadline) this.reason = 'deadline';
    return this.reason !== null;
  }

  /** Asks training to stop, for `reason` (the first reason is kept). */
  request(reason: string): void {
    this.reason ??= reason;
  }

  /** Stop once performance.now() reaches `at` (ms). */
  stopAt(at: number): this {
    this.deadline = at;
    return this;
  }

  /**
   * Turns `signals` into stop requests until `dispose`. The first calls `onFirst`; a second signal
   * while stopping calls `onRepeat` (default: exit at once with 128 + the signal's number).
   */
  listen(signals: readonly NodeJS.Signals[], handlers: { onFirst?: (signal: NodeJS.Signals) => void; onRepeat?: (signal: NodeJS.Signals) => void } = {}): this {
    for (const signal of signals) {
      const handler = () => {
        if (this.reason !== null && this.reason !== 'deadline') {
          (handlers.onRepeat ?? ((s) => process.exit(128 + (constants.signals[s] ?? 0))))(signal);
          return;
        }
        this.reason = signal;
        handlers.onFirst?.(signal);
      };
      process.on(signal, handler);
      this.handlers.push([signal, handler]);
    }
    return this;
  }

  /** Removes the signal handlers. */
  dispose(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
    this.handlers = [];
  }
}
