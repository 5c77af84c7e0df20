/**
 * Never a silent wait: `during(what, job)` shows "what… 3 s" in an element, ticking, once a job has
 * run past half a second, and clears it when the job ends. A page's panel wraps every job that can
 * take long (a device probe, a download, a first GPU iteration that compiles its kernels) in one.
 */
const SHOW_AFTER_MS = 500;
const TICK_MS = 250;

export class Progress {
  private depth = 0;

  constructor(private readonly el: HTMLElement) {}

  /**
   * Runs `job`, showing `what` and the seconds it has taken once it runs past `showAfterMs` (half a
   * second; 0 shows it at once, for a job known to be long or one that may hold the page's thread:
   * the count cannot tick while synchronous work runs, so the words must be there before it).
   */
  async during<T>(what: string, job: () => Promise<T>, showAfterMs = SHOW_AFTER_MS): Promise<T> {
    const t0 = performance.now();
    const show = () => {
      const ms = performance.now() - t0;
      if (ms >= showAfterMs) this.el.textContent = `${what}… ${(ms / 1000).toFixed(1)} s`;
    };
    if (showAfterMs <= 0) show();
    const timer = setInterval(show, TICK_MS);
    this.depth++;
    try {
      return await job();
    } finally {
      clearInterval(timer);
      if (--this.depth === 0) this.el.textContent = '';
    }
  }
}
