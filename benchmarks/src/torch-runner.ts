/**
 * The `torch-cpu` runners: PyTorch on the CPU, the bar a user without a GPU would pick instead of
 * saddle's wasm device. Each runner is one Python process (./torch/torch_server.py) started with
 * its thread count (torch.set_num_threads; OMP_WAIT_POLICY=PASSIVE, since OpenMP's default
 * spin-waiting makes every parallel region cost the other threads' time on a busy 2-core machine);
 * a case's setup sends it the case's inputs, and the harness's timed reps run inside it.
 *
 * Timing: Instance.run() only counts an iteration; the runner's sync() asks the process to run the
 * counted iterations back to back and waits for its answer. A rep's wall time (at least
 * --min-rep-ms, 100 ms) so includes one request and answer over a pipe (tens of microseconds).
 *
 * Used where a Python with torch is found: SADDLE_PYTHON, else `python3`, else /usr/bin/python3
 * (Debian's python3-torch, with libopenblas0-pthread for its BLAS). `hello` reports which BLAS the
 * process loaded, recorded in the results' notes. CI need not install torch: without it the
 * runners are listed as missing and the bench runs on.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BenchCase, Instance, Runner, RunnerId, TorchCaseSpec } from './harness.js';

/** A float32 array as the process reads it (base64 of its little-endian bytes). */
export function f32(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function fromF32(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

const SERVER = fileURLToPath(new URL('./torch/torch_server.py', import.meta.url));

/** The Python that imports torch: SADDLE_PYTHON, python3, /usr/bin/python3; null when none does. */
export function findTorchPython(): string | null {
  const candidates = [process.env.SADDLE_PYTHON, 'python3', '/usr/bin/python3'].filter((x): x is string => Boolean(x));
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    if (r.status === 0) return py;
  }
  return null;
}

export interface TorchHello {
  torch: string;
  threads: number;
  /** BLAS / OpenMP shared libraries mapped into the process. */
  libraries: string[];
  ompWaitPolicy: string | null;
}

/** One Python process running PyTorch on `threads` threads. */
export class TorchProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
  private nextId = 1;
  /** Iterations counted by run() and not yet run, per case. */
  private readonly pending = new Map<number, number>();
  /** Each case's setup request (a flush waits for it, and reports its error). */
  private readonly setups = new Map<number, Promise<unknown>>();
  private stderr = '';

  constructor(
    python: string,
    readonly threads: number,
  ) {
    this.child = spawn(python, [SERVER], {
      env: { ...process.env, SADDLE_TORCH_THREADS: String(threads), OMP_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'PASSIVE' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.resolve(JSON.parse(line) as Record<string, unknown>));
    this.child.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`torch process exited (${code}): ${this.stderr.trim()}`));
    });
    this.child.unref();
  }

  /** Sends one request and resolves with its answer (requests are answered in order). */
  request(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    const p = new Promise<Record<string, unknown>>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(JSON.stringify(req) + '\n');
    }).then((res) => {
      if (typeof res.error === 'string') throw new Error(`torch: ${res.error}`);
      return res;
    });
    return p;
  }

  hello(): Promise<TorchHello> {
    return this.request({ op: 'hello' }) as unknown as Promise<TorchHello>;
  }

  /** Runs every counted iteration; resolves when the process has finished them. */
  async flush(): Promise<void> {
    const jobs = [...this.pending.entries()];
    this.pending.clear();
    for (const [id, n] of jobs) {
      await this.setups.get(id);
      if (n > 0) await this.request({ op: 'run', id, n });
    }
  }

  instance(spec: TorchCaseSpec, outputOf: (raw: Float32Array) => Float32Array | Promise<Float32Array> = (x) => x): Instance {
    const id = this.nextId++;
    // Setup is asynchronous; the first flush (or output) waits for it, and reports its error.
    const setup = this.request({ op: 'setup', id, case: spec });
    setup.catch(() => {});
    this.setups.set(id, setup);
    this.pending.set(id, 0);
    return {
      run: () => this.pending.set(id, (this.pending.get(id) ?? 0) + 1),
      output: async () => {
        await this.flush();
        await setup;
        const res = await this.request({ op: 'output', id });
        return outputOf(fromF32(res.data as string));
      },
      dispose: () => {
        this.pending.delete(id);
        this.setups.delete(id);
        void this.request({ op: 'dispose', id }).catch(() => {});
      },
    };
  }

  destroy(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}

/** PyTorch on the CPU as a bench runner ('torch-cpu': every core; 'torch-cpu-1t': one thread). */
export function torchRunner(id: RunnerId, proc: TorchProcess, hello: TorchHello): Runner {
  return {
    id,
    library: 'torch',
    where: 'cpu',
    description: `PyTorch ${hello.torch} on the CPU, ${proc.threads} thread${proc.threads === 1 ? '' : 's'} (OMP_WAIT_POLICY=PASSIVE; ${hello.libraries.map((l) => l.split('/').pop()).join(', ') || 'no BLAS library found'})`,
    activate: async () => {},
    setup: (c: BenchCase): Instance => {
      if (!c.torch) throw new Error(`${id}: the case has no setup for this library`);
      return c.torch({ instance: (spec, outputOf) => proc.instance(spec, outputOf) });
    },
    sync: () => proc.flush(),
  };
}
