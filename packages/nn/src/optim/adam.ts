import { SaddleError, adamUpdate, type Tensor } from '@saddle/autograd';
import { Optimizer, checkHyper, type OptimizerOptions } from './optimizer.js';

/** Options of `Adam` and `AdamW`: PyTorch's names and defaults. */
export interface AdamOptions extends Omit<OptimizerOptions, 'lr'> {
  /** Learning rate (a number or a schedule); default 1e-3. */
  lr?: OptimizerOptions['lr'];
  /** The moments' decay rates (β1, β2), each in [0, 1); default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Added to the denominator, >= 0; default 1e-8. */
  eps?: number;
}

/**
 * Adam (Kingma & Ba, 2015), as PyTorch's `torch.optim.Adam`: per parameter, running means of the
 * gradient (m) and of its square (v), bias-corrected, and the step lr · m̂ / (√v̂ + eps). Weight decay
 * is an L2 penalty added to the gradient. One fused kernel per parameter per step (`adamUpdate`: WGSL,
 * wasm SIMD, or the CPU twin). Each parameter counts its own updates for the bias correction (one
 * that had no gradient in a step was not updated), as PyTorch does.
 */
export class Adam extends Optimizer {
  /** The first moment's decay rate. */
  readonly beta1: number;
  /** The second moment's decay rate. */
  readonly beta2: number;
  /** Added to the denominator. */
  readonly eps: number;
  /** Updates each parameter has had (its bias corrections read this). */
  private steps: number[];

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(new.target === AdamW ? 'AdamW' : 'Adam', params, { lr: 1e-3, ...options }, ['betas', 'eps'], ['m', 'v']);
    const betas = options?.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) throw new SaddleError(this.name, `betas is ${String(betas)}; expected [beta1, beta2]`);
    betas.forEach((b, i) => {
      if (typeof b !== 'number' || !(b >= 0 && b < 1)) throw new SaddleError(this.name, `betas[${i}] is ${String(b)}; expected a number in [0, 1)`);
    });
    [this.beta1, this.beta2] = betas;
    this.eps = checkHyper(this.name, 'eps', options?.eps ?? 1e-8);
    this.steps = this.params.map(() => 0);
  }

  /** Whether weight decay is AdamW's (decoupled, applied to the weight) rather than Adam's L2 penalty. */
  protected get decoupled(): boolean {
    return false;
  }

  /** The learning rate the next step will use (a schedule's value is checked like a number's). */
  current(): { lr: number } {
    return { lr: checkHyper(this.name, 'lr', this.lr(this.progress())) };
  }

  protected update(indices: readonly number[], { lr }: { lr: number }): void {
    const hp = { lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay, decoupled: this.decoupled };
    for (const i of indices) {
      const p = this.params[i]!;
      adamUpdate(p, p.grad!, this.buffers.m![i]!, this.buffers.v![i]!, { ...hp, step: this.steps[i]! + 1 });
      this.steps[i]!++;
    }
  }

  protected override extraState(): Record<string, string> {
    return { steps: JSON.stringify(this.steps) };
  }

  protected override loadExtraState(metadata: Record<string, string>, from: string): void {
    let steps: unknown;
    try {
      steps = JSON.parse(metadata.steps ?? '');
    } catch {
      steps = undefined;
    }
    if (!Array.isArray(steps) || steps.length !== this.params.length || !steps.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new SaddleError(
        `${this.name}.loadStateDict`,
        `steps is ${String(metadata.steps)} in the state; expected a list of ${this.params.length} counts${from}`,
      );
    }
    this.steps = steps as number[];
  }
}

/**
 * AdamW (Loshchilov & Hutter, 2019), as PyTorch's `torch.optim.AdamW`: Adam with decoupled weight
 * decay, p ← p·(1 − lr·weightDecay) before the Adam step, instead of an L2 term in the gradient.
 * Default weightDecay 0.01.
 */
export class AdamW extends Adam {
  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params, { weightDecay: 0.01, ...options });
  }

  protected override get decoupled(): boolean {
    return true;
  }
}
