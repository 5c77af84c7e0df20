/**
 * The 2-D toy GAN of the playground (toy/toy2d.ts), on the CPU: its data sets, the heat map's
 * grid evaluation, G's gradient at points, the live settings, and that training moves G's samples
 * onto the data; then the same few iterations on every device (the page trains on its own).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, SaddleError, cpu, fromArray } from '@saddle/autograd';
import { NAMED_DEVICES } from '../../../test/support/devices.js';
import { DRAWN_STD, TOY2D_VIEW, Toy2dGan, chamferDistance, gridPoints, pointPairs, sampleToy2d, type Toy2dData, type Toy2dDataName } from '../src/toy/toy2d.js';

const BUILT_IN: Exclude<Toy2dDataName, 'drawn'>[] = ['ring', 'moons', 'spiral', 'line'];
const weights = async (toy: Toy2dGan, which: 'G' | 'D') => Promise.all(toy[which].parameters().map(async (p) => Array.from(await p.toArray())));

describe('the 2-D data sets', () => {
  it.each(BUILT_IN)('%s: the same seed gives the same points, all inside the view', (name) => {
    const a = sampleToy2d({ name }, 500, new Generator(7));
    expect(Array.from(a)).toEqual(Array.from(sampleToy2d({ name }, 500, new Generator(7))));
    expect(Array.from(a)).not.toEqual(Array.from(sampleToy2d({ name }, 500, new Generator(8))));
    for (const v of a) expect(Math.abs(v)).toBeLessThan(TOY2D_VIEW.max);
  });

  it('ring: 8 modes on the circle of radius 2, each about an eighth of the points', () => {
    const n = 4000;
    const counts = new Array<number>(8).fill(0);
    for (const [x, y] of pointPairs(sampleToy2d({ name: 'ring' }, n, new Generator(1)))) {
      expect(Math.abs(Math.hypot(x, y) - 2)).toBeLessThan(0.6);
      counts[Math.round(((Math.atan2(y, x) + 2 * Math.PI) % (2 * Math.PI)) / (Math.PI / 4)) % 8]!++;
    }
    for (const c of counts) expect(Math.abs(c - n / 8)).toBeLessThan(4 * Math.sqrt(n / 8));
  });

  it('drawn: every sample lies near one of the drawn points', () => {
    const coord = fc.double({ min: -2.5, max: 2.5, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.tuple(coord, coord), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 1000 }), (points, seed) => {
        const sample = sampleToy2d({ name: 'drawn', points }, 64, new Generator(seed));
        for (const [x, y] of pointPairs(sample)) {
          const nearest = Math.min(...points.map(([px, py]) => Math.hypot(x - px, y - py)));
          expect(nearest).toBeLessThan(7 * DRAWN_STD);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('refuse a drawn set with no points or a point outside the view, naming it', () => {
    expect(() => sampleToy2d({ name: 'drawn', points: [] }, 4, new Generator(1))).toThrow(
      /sampleToy2d: the drawn data set has no points; expected at least one/,
    );
    expect(() =>
      sampleToy2d(
        {
          name: 'drawn',
          points: [
            [0, 0],
            [4, 0],
          ],
        },
        4,
        new Generator(1),
      ),
    ).toThrow(/drawn point 1 is \[4,0\]; expected \[x, y\] with both in \[-3, 3\]/);
    expect(() => sampleToy2d({ name: 'square' } as unknown as Toy2dData, 4, new Generator(1))).toThrow(SaddleError);
  });
});

describe('chamfer distance', () => {
  it('is zero between a set and itself, symmetric, and grows with a shift', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 2, maxLength: 40 }),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        (vs, shift) => {
          const a = Float32Array.from(vs.length % 2 ? vs.slice(1) : vs);
          const b = a.map((v) => v + shift);
          expect(chamferDistance(a, a)).toBe(0);
          expect(chamferDistance(a, b)).toBeCloseTo(chamferDistance(b, a), 9);
          expect(chamferDistance(a, b)).toBeGreaterThan(0);
          expect(chamferDistance(a, b)).toBeLessThanOrEqual(2 * Math.SQRT2 * shift + 1e-6);
        },
      ),
    );
  });
});

describe('the 2-D toy GAN on the CPU', () => {
  it("the heat map's grid evaluation equals D applied point by point", async () => {
    const toy = new Toy2dGan({ data: { name: 'ring' }, device: cpu, seed: 3 });
    try {
      for (let i = 0; i < 20; i++) toy.iteration();
      const cells = 12;
      const grid = gridPoints(cells);
      expect(grid.length).toBe(2 * cells * cells);
      // Row 0 is the top of the view, column 0 its left.
      expect(grid[0]).toBeCloseTo(TOY2D_VIEW.min + 3 / cells, 6);
      expect(grid[1]).toBeCloseTo(TOY2D_VIEW.max - 3 / cells, 6);
      const all = await toy.discriminate(grid);
      for (let i = 0; i < cells * cells; i++) {
        const one = await toy.discriminate(grid.slice(2 * i, 2 * i + 2));
        expect(all[i]).toBeCloseTo(one[0]!, 6);
        expect(all[i]).toBeGreaterThan(0);
        expect(all[i]).toBeLessThan(1);
      }
    } finally {
      toy.dispose();
    }
  });

  it("G's gradient at points matches finite differences of each point's loss, for both losses", async () => {
    const toy = new Toy2dGan({ data: { name: 'moons' }, device: cpu, seed: 4 });
    try {
      for (let i = 0; i < 30; i++) toy.iteration();
      const points = Float32Array.from([0.3, -0.7, -1.5, 1.1, 2.2, 0.4, 0, 0]);
      const softplus = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
      for (const gLoss of ['non-saturating', 'saturating'] as const) {
        toy.setSettings({ gLoss });
        const g = await toy.generatorGradient(points);
        // The loss of one point from D's probability: -log D, or log(1 - D).
        const loss = async (p: Float32Array) => {
          const d = (await toy.discriminate(p))[0]!;
          const logit = Math.log(d / (1 - d));
          return gLoss === 'non-saturating' ? softplus(-logit) : -softplus(logit);
        };
        const h = 1e-2;
        for (let i = 0; i < points.length; i++) {
          const at = (delta: number) => {
            const p = points.slice(2 * Math.floor(i / 2), 2 * Math.floor(i / 2) + 2);
            p[i % 2]! += delta;
            return loss(p);
          };
          const fd = ((await at(h)) - (await at(-h))) / (2 * h);
          expect(Math.abs(g[i]! - fd)).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
        }
      }
      // The saturating loss's push is the non-saturating one's times D / (1 - D): it fades where D is sure of a fake.
      toy.setSettings({ gLoss: 'non-saturating' });
      const ns = await toy.generatorGradient(points);
      toy.setSettings({ gLoss: 'saturating' });
      const sat = await toy.generatorGradient(points);
      const d = await toy.discriminate(points);
      for (let i = 0; i < points.length; i++) expect(sat[i]).toBeCloseTo((ns[i]! * d[i >> 1]!) / (1 - d[i >> 1]!), 4);
    } finally {
      toy.dispose();
    }
  });

  it('on the ring, training with a fixed seed moves G(z) onto the data: the chamfer distance falls', async () => {
    const toy = new Toy2dGan({ data: { name: 'ring' }, device: cpu, seed: 1, settings: { lrD: 0.05, lrG: 0.05 } });
    const z = toy.sampleZ(400, new Generator(99));
    const data = sampleToy2d({ name: 'ring' }, 400, new Generator(98));
    try {
      const before = chamferDistance(await toy.generate(z), data);
      for (let i = 0; i < 1000; i++) toy.iteration();
      const after = chamferDistance(await toy.generate(z), data);
      console.log(`ring: chamfer distance ${before.toFixed(3)} before, ${after.toFixed(3)} after 1000 iterations`);
      expect(after).toBeLessThan(0.5 * before);
      // Deterministic: the same seed, the same G.
      const again = new Toy2dGan({ data: { name: 'ring' }, device: cpu, seed: 1 });
      try {
        for (let i = 0; i < 10; i++) again.iteration();
        const other = new Toy2dGan({ data: { name: 'ring' }, device: cpu, seed: 1 });
        for (let i = 0; i < 10; i++) other.iteration();
        expect(await weights(other, 'G')).toEqual(await weights(again, 'G'));
        other.dispose();
      } finally {
        again.dispose();
      }
    } finally {
      z.dispose();
      toy.dispose();
    }
  }, 300_000);

  it('a drawn data set is what D learns as real', async () => {
    const points: [number, number][] = [
      [1.5, 1.5],
      [1.8, 1.2],
    ];
    const toy = new Toy2dGan({ data: { name: 'ring' }, device: cpu, seed: 2, settings: { train: 'D only', lrD: 0.1 } });
    try {
      toy.setData({ name: 'drawn', points });
      expect(toy.data).toEqual({ name: 'drawn', points });
      for (let i = 0; i < 300; i++) toy.iteration();
      const [near, ringMode] = await toy.discriminate(Float32Array.from([1.6, 1.4, -2, 0]));
      expect(near).toBeGreaterThan(0.7);
      expect(ringMode).toBeLessThan(near! - 0.3);
    } finally {
      toy.dispose();
    }
  });

  it("the players' switches: 'D only' leaves G as it was, 'G only' leaves D; simultaneous differs from alternating", async () => {
    const toy = new Toy2dGan({ data: { name: 'spiral' }, device: cpu, seed: 5 });
    try {
      const g0 = await weights(toy, 'G');
      const d0 = await weights(toy, 'D');
      toy.setSettings({ train: 'D only', kD: 3 });
      for (let i = 0; i < 5; i++) toy.iteration();
      expect(await weights(toy, 'G')).toEqual(g0);
      const d1 = await weights(toy, 'D');
      expect(d1).not.toEqual(d0);
      toy.setSettings({ train: 'G only', kG: 2 });
      for (let i = 0; i < 5; i++) toy.iteration();
      expect(await weights(toy, 'D')).toEqual(d1);
      expect(await weights(toy, 'G')).not.toEqual(g0);
      expect(toy.steps).toBe(10);
    } finally {
      toy.dispose();
    }
    const run = async (update: 'alternating' | 'simultaneous') => {
      const t = new Toy2dGan({ data: { name: 'line' }, device: cpu, seed: 6, settings: { update } });
      try {
        for (let i = 0; i < 5; i++) t.iteration();
        return await weights(t, 'G');
      } finally {
        t.dispose();
      }
    };
    expect(await run('simultaneous')).not.toEqual(await run('alternating'));
    expect(await run('simultaneous')).toEqual(await run('simultaneous'));
  });

  it('refuses bad settings and data with a SaddleError naming them, and keeps what it had', async () => {
    const toy = new Toy2dGan({ data: { name: 'ring' }, device: cpu });
    try {
      expect(() => toy.setSettings({ lrD: 50 })).toThrow(/Toy2dGan.setSettings: lrD is 50; expected a number from 0 to 1/);
      expect(() => toy.setSettings({ kG: -3 })).toThrow(/kG is -3; expected a whole number from 1 to 20/);
      expect(() => toy.setSettings({ kD: 2.5 })).toThrow(/kD is 2.5/);
      expect(() => toy.setSettings({ update: 'sometimes' as 'alternating' })).toThrow(/update is "sometimes"; expected one of 'alternating', 'simultaneous'/);
      expect(() => toy.setSettings({ lrG: 0.2, gLoss: 'hinge' as 'saturating' })).toThrow(/gLoss/);
      expect(toy.settings.lrD).toBe(0.1);
      expect(toy.settings.lrG).toBe(0.1); // the whole change was refused
      expect(() => toy.setData({ name: 'drawn', points: [] })).toThrow(/setData: the drawn data set has no points/);
      expect(toy.data).toEqual({ name: 'ring' });
      expect(() => new Toy2dGan({ data: { name: 'ring' }, device: cpu, settings: { lrG: -1 } })).toThrow(/Toy2dGan: lrG is -1/);
      await expect(toy.discriminate(Float32Array.from([1, 2, 3]))).rejects.toThrow(/points has 3 values; expected \[n·2\]/);
      const z = fromArray([0, 0], [1, 2], { device: cpu });
      toy.dispose();
      await expect(toy.generate(z)).rejects.toThrow(/Toy2dGan.generate: the toy was disposed/);
      z.dispose();
    } finally {
      toy.dispose();
    }
  });
});

describe.each(NAMED_DEVICES.filter(([name]) => name !== 'cpu'))('the 2-D toy GAN on %s', (_name, getDevice) => {
  it("follows the CPU: the same iterations give the same weights, D on a grid and G's gradient (to float rounding)", async () => {
    const device = await getDevice();
    const settings = { kD: 2, gLoss: 'saturating' } as const;
    const [here, onCpu] = [
      new Toy2dGan({ data: { name: 'moons' }, device, seed: 8, settings }),
      new Toy2dGan({ data: { name: 'moons' }, device: cpu, seed: 8, settings }),
    ];
    try {
      for (const toy of [here, onCpu]) {
        for (let i = 0; i < 4; i++) toy.iteration();
        toy.setSettings({ update: 'simultaneous' });
        for (let i = 0; i < 4; i++) toy.iteration();
      }
      const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) =>
        Array.from(a).forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(tol * Math.max(1, Math.abs(b[i]!))));
      const [wh, wc] = [await weights(here, 'G'), await weights(onCpu, 'G')];
      wh.forEach((w, i) => close(w, wc[i]!, 1e-4));
      const grid = gridPoints(10);
      close(await here.discriminate(grid), await onCpu.discriminate(grid), 1e-4);
      close(await here.generatorGradient(grid), await onCpu.generatorGradient(grid), 1e-3);
    } finally {
      here.dispose();
      onCpu.dispose();
    }
  }, 300_000);
});
