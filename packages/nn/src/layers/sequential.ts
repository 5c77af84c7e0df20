import { SaddleError, type Tensor } from '@saddle/autograd';
import { Module } from '../module.js';

/** Applies its layers in order; parameters are named `<index>.<name>`. */
export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => {
      if (typeof (m as Partial<Module> | null)?.forward !== 'function' || typeof (m as Partial<Module>).namedParameters !== 'function')
        throw new SaddleError('Sequential', `layer ${i} is ${String(m)}; expected a Module (Linear, Maxout, Dropout, ReLU, ...)`);
    });
    this.layers = layers;
    layers.forEach((m, i) => this.addModule(String(i), m));
  }

  /** Runs the layers in order. */
  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this.layers) h = m.forward(h);
    return h;
  }
}
