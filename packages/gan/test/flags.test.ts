import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { configFromFlags, FIXED_ON_RESUME, parse, RESUME_CONFIG_KEYS, RESUME_MAY_CHANGE, TRAIN_FLAG_TABLE, TRAIN_FLAGS, USAGE } from '../src/cli/flags.js';
import { defaultPreset, preset } from '../src/presets.js';

const configOf = (...args: string[]) => configFromFlags(parse('train', args, TRAIN_FLAGS).values, preset('quick'));

describe('train flags over a preset', () => {
  it('the experiment flags reach the config and leave the rest of the preset alone', () => {
    const base = preset('quick');
    const c = configOf(
      '--g-hidden',
      '256,128',
      '--g-output-init',
      '0.02',
      '--d-units',
      '64,32',
      '--d-pieces',
      '3',
      '--d-keep-input',
      '0.9',
      '--d-keep-hidden',
      '0.75',
      '--momentum',
      '0.6',
      '--lr-decay',
      '1.00003',
      '--g-ema',
      '0.9995',
      '--lr-anneal',
      '0.3',
    );
    expect(c.generator).toEqual({ ...base.generator, hidden: [256, 128], outputInitRange: 0.02 });
    expect(c.discriminator).toEqual({ ...base.discriminator, units: [64, 32], pieces: 3, keepInput: 0.9, keepHidden: 0.75 });
    expect([c.momentumStart, c.momentumEnd, c.lrDecay, c.gEma, c.lrAnneal]).toEqual([0.6, 0.6, 1.00003, 0.9995, 0.3]);
    expect({
      ...c,
      generator: base.generator,
      discriminator: base.discriminator,
      momentumStart: base.momentumStart,
      momentumEnd: base.momentumEnd,
      lrDecay: base.lrDecay,
      gEma: base.gEma,
      lrAnneal: base.lrAnneal,
    }).toEqual(base);
  });

  it.each([
    ['--d-keep-input', '0'],
    ['--d-keep-hidden', '1.5'],
    ['--d-keep-hidden', 'half'],
  ])('%s %s is refused, naming the flag and the range', (flag, value) => {
    expect(() => configOf(flag, value)).toThrow(new RegExp(`${flag} ${value}: expected a probability in \\(0, 1\\]`));
  });

  it("--g-init, --d-init, --g-lr and --d-lr set one network's initial range and one player's learning rate", () => {
    const base = preset('quick');
    const c = configOf('--g-init', '0.1', '--d-init', '0.02', '--g-lr', '0.2', '--d-lr', '0.05');
    expect(c.generator).toEqual({ ...base.generator, initRange: 0.1 });
    expect(c.discriminator).toEqual({ ...base.discriminator, initRange: 0.02 });
    expect([c.gLr, c.dLr, c.lr]).toEqual([0.2, 0.05, base.lr]);
    // Without them quick's players keep its rates: G at lr, D at twice that (its seventh round).
    expect([configOf().gLr, configOf().dLr, configOf().lr]).toEqual([undefined, 0.0004, 0.0002]);
  });

  it("--g-ema-rampup R warms up G's average; a negative or non-numeric R is refused", () => {
    expect(configOf('--g-ema-rampup', '0.5').gEmaRampup).toBe(0.5);
    expect(configOf().gEmaRampup).toBe(1);
    expect(configOf('--g-ema-rampup', '0').gEmaRampup).toBe(0);
    expect(() => configOf('--g-ema-rampup=-1')).toThrow(/--g-ema-rampup -1: expected a finite number >= 0/);
    expect(() => configOf('--g-ema-rampup', 'fast')).toThrow(/--g-ema-rampup fast: expected a finite number >= 0/);
  });

  it("--lr sets both players' rate, replacing a preset's rate for one player unless --d-lr or --g-lr gives it again", () => {
    const rates = (...args: string[]) => {
      const c = configOf(...args);
      return [c.optimizer, c.lr, c.dLr, c.gLr];
    };
    expect(rates('--lr', '0.0003')).toEqual(['adam', 0.0003, undefined, undefined]);
    expect(rates('--lr', '0.0003', '--d-lr', '0.001')).toEqual(['adam', 0.0003, 0.001, undefined]);
    expect(rates('--d-lr', '0.001')).toEqual(['adam', 0.0002, 0.001, undefined]);
    // A change of optimizer drops them too: SGD with quick's Adam rate for D would hardly move it.
    expect(rates('--optimizer', 'sgd')).toEqual(['sgd', 0.1, undefined, undefined]);
    expect(rates('--optimizer', 'sgd', '--d-lr', '0.2')).toEqual(['sgd', 0.1, 0.2, undefined]);
    // The same optimizer keeps them.
    expect(rates('--optimizer', 'adam')).toEqual(['adam', 0.0002, 0.0004, undefined]);
  });

  it.each([
    ['--g-init', '0'],
    ['--d-init', '-0.005'],
    ['--g-lr', '0'],
    ['--d-lr', 'fast'],
  ])('%s %s is refused, naming the flag and what was expected', (flag, value) => {
    expect(() => configOf(`${flag}=${value}`)).toThrow(new RegExp(`${flag} ${value}: expected a positive number`));
  });

  it('--optimizer and --adam-betas reach the config; without them each preset keeps its own optimizer', () => {
    const c = configOf('--optimizer', 'adam', '--adam-betas', '0.6,0.99', '--lr', '0.0003');
    expect([c.optimizer, c.adamBetas, c.lr]).toEqual(['adam', [0.6, 0.99], 0.0003]);
    // quick trains with Adam, G at 2e-4, betas 0.5 and 0.99 (its sixth and seventh rounds).
    expect([configOf().optimizer, configOf().adamBetas, configOf().lr]).toEqual(['adam', [0.5, 0.99], 0.0002]);
    expect(configOf('--optimizer', 'sgd', '--lr', '0.05')).toMatchObject({ optimizer: 'sgd', lr: 0.05 });
    // Without --lr, a change of optimizer takes that optimizer's rate (SGD at Adam's 2e-4 would hardly move).
    expect(configOf('--optimizer', 'sgd')).toMatchObject({ optimizer: 'sgd', lr: 0.1 });
    expect(configOf('--optimizer', 'adam')).toMatchObject({ optimizer: 'adam', lr: 0.0002 });
    expect(configFromFlags(parse('train', ['--optimizer', 'adam'], TRAIN_FLAGS).values, preset('paper'))).toMatchObject({ optimizer: 'adam', lr: 0.0002 });
    // The paper's and the conv preset's SGD with momentum, learning rate 0.1.
    for (const name of ['paper', 'conv'] as const) {
      const p = configFromFlags(parse('train', [], TRAIN_FLAGS).values, preset(name));
      expect([name, p.optimizer ?? 'sgd', p.lr, p.dLr, p.gLr, p.adamBetas, p.gEmaRampup]).toEqual([
        name,
        'sgd',
        0.1,
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
    }
  });

  it.each([['0.5'], ['0.5,1'], ['0.5,'], ['-0.1,0.9'], ['a,b'], ['0.5,0.9,0.99']])(
    '--adam-betas %s is refused, naming the flag and what was expected',
    (value) => {
      expect(() => configOf(`--adam-betas=${value}`)).toThrow(`--adam-betas ${value}: expected beta1,beta2, each a number in [0, 1)`);
    },
  );

  it('--optimizer refuses what it does not know, naming the choices', () => {
    expect(() => configOf('--optimizer', 'rmsprop')).toThrow('--optimizer rmsprop: expected one of sgd, adam');
  });

  it("the paper preset is the authors' simultaneous update, the others Algorithm 1; --update alternating gives Algorithm 1", () => {
    expect(preset('paper').update).toBe('simultaneous');
    expect(preset('quick').update).toBe('alternating');
    expect(preset('tiny').update).toBe('alternating');
    expect(configFromFlags(parse('train', ['--update', 'alternating'], TRAIN_FLAGS).values, preset('paper')).update).toBe('alternating');
  });

  it('without --preset: paper on a hardware GPU, quick on a software adapter, wasm or the CPU', () => {
    expect(defaultPreset({ hardwareGpu: true, software: false, kind: 'webgpu' })).toEqual({
      name: 'paper',
      reason: "a GPU was found: the paper configuration (the authors' simultaneous update)",
    });
    expect(defaultPreset({ hardwareGpu: false, software: true, kind: 'webgpu' })).toEqual({
      name: 'quick',
      reason: 'no hardware GPU (software adapter): the quick preset',
    });
    expect(defaultPreset({ hardwareGpu: false, software: false, kind: 'wasm' })).toEqual({
      name: 'quick',
      reason: 'no hardware GPU (wasm device): the quick preset',
    });
  });

  it('--g-output-init 0 is refused', () => {
    expect(() => configOf('--g-output-init', '0')).toThrow(/--g-output-init 0: expected a positive number/);
  });
});

describe('numeric flags are decimal numbers', () => {
  it('any finite number written in decimal (plain or with an exponent) is read exactly', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 1e6, noNaN: true }), fc.boolean(), (lr, exponent) => {
        const text = exponent ? lr.toExponential() : String(lr);
        expect(configOf('--lr', text).lr).toBe(Number(text));
      }),
    );
  });

  it.each(['0x10', '0X1F', '0b11', '0o7', 'Infinity', '1_000', '1e', '.', '+', '1.2.3', '٣'])('--lr %s is refused, not read as a number', (text) => {
    expect(() => configOf('--lr', text)).toThrow(new RegExp(`--lr ${text.replace(/[.+]/g, '\\$&')}: expected a positive number, written in decimal`));
  });

  it.each([
    ['--batch', '0x10'],
    ['--epochs', '1e2'],
    ['--g-hidden', '0x10,8'],
    ['--d-units', '1e1,4'],
    ['--g-hidden', '8,,8'],
  ])('%s %s is refused', (flag, text) => {
    expect(() => configOf(flag, text)).toThrow(new RegExp(`${flag} `));
  });
});

describe('one table of train flags', () => {
  const names = TRAIN_FLAG_TABLE.map((f) => f.name);

  it('the parser, the usage text and the resume rules come from it: each flag once', () => {
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(TRAIN_FLAGS)).toEqual(names);
    const train = USAGE.slice(USAGE.indexOf('train options'), USAGE.indexOf('eval options'));
    for (const name of names) expect(train.match(new RegExp(`^  --${name}( |$)`, 'gm')), name).toHaveLength(1);
    for (const f of TRAIN_FLAG_TABLE) expect(TRAIN_FLAGS[f.name]!.type).toBe(f.value === undefined ? 'boolean' : 'string');
    expect(TRAIN_FLAGS.help).toEqual({ type: 'boolean', short: 'h' });
  });

  it('the resume rules are the ones the CLI always had', () => {
    expect([...FIXED_ON_RESUME].sort()).toEqual(
      [
        'preset',
        'batch',
        'k',
        'lr',
        'seed',
        'z-dist',
        'update',
        'g-loss',
        'train-n',
        'val-n',
        'r1',
        'r1-every',
        'optimizer',
        'adam-betas',
        'out',
        'g-hidden',
        'g-output-init',
        'g-init',
        'd-init',
        'g-lr',
        'd-lr',
        'd-units',
        'd-pieces',
        'd-keep-input',
        'd-keep-hidden',
        'momentum',
        'lr-decay',
        'g-ema',
        'g-ema-rampup',
        'lr-anneal',
      ].sort(),
    );
    expect([...RESUME_MAY_CHANGE].sort()).toEqual(['device', 'epochs', 'log-every', 'minutes', 'parzen-every', 'threads']);
    // resumes.jsonl records these keys in this order.
    expect(RESUME_CONFIG_KEYS).toEqual(['epochs', 'minutes', 'logEvery', 'parzenEvery']);
  });

  it('every flag of the config refuses a value that is not one, naming the flag', () => {
    const configured = TRAIN_FLAG_TABLE.filter((f) => f.configure);
    expect(configured.length).toBe(32);
    for (const f of configured) expect(() => configOf(`--${f.name}`, 'x!'), f.name).toThrow(new RegExp(`^--${f.name} x!: expected `));
  });

  it("keys a preset lacks are added in the table's order, as before (config.json's bytes)", () => {
    const c = configFromFlags(parse('train', ['--g-ema', '0.99', '--lr-anneal', '0.5', '--d-lr', '0.2', '--g-lr', '0.3'], TRAIN_FLAGS).values, preset('paper'));
    expect(Object.keys(c).slice(-4)).toEqual(['gLr', 'dLr', 'lrAnneal', 'gEma']);
  });
});
