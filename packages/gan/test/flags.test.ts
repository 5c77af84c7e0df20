import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { configFromFlags, parse, TRAIN_FLAGS } from '../src/cli/flags.js';
import { preset } from '../src/presets.js';

const configOf = (...args: string[]) => configFromFlags(parse('train', args, TRAIN_FLAGS).values, preset('quick'));

describe('train flags over a preset', () => {
  it("the experiment flags reach the config and leave the rest of the preset alone", () => {
    const base = preset('quick');
    const c = configOf('--g-hidden', '256,128', '--g-output-init', '0.02', '--d-units', '64,32', '--d-pieces', '3', '--d-keep-input', '0.9', '--d-keep-hidden', '0.75', '--momentum', '0.6', '--lr-decay', '1.00003', '--g-ema', '0.9995');
    expect(c.generator).toEqual({ ...base.generator, hidden: [256, 128], outputInitRange: 0.02 });
    expect(c.discriminator).toEqual({ ...base.discriminator, units: [64, 32], pieces: 3, keepInput: 0.9, keepHidden: 0.75 });
    expect([c.momentumStart, c.momentumEnd, c.lrDecay, c.gEma]).toEqual([0.6, 0.6, 1.00003, 0.9995]);
    expect({ ...c, generator: base.generator, discriminator: base.discriminator, momentumStart: base.momentumStart, momentumEnd: base.momentumEnd, lrDecay: base.lrDecay, gEma: base.gEma }).toEqual(base);
  });

  it.each([
    ['--d-keep-input', '0'],
    ['--d-keep-hidden', '1.5'],
    ['--d-keep-hidden', 'half'],
  ])('%s %s is refused, naming the flag and the range', (flag, value) => {
    expect(() => configOf(flag, value)).toThrow(new RegExp(`${flag} ${value}: expected a probability in \\(0, 1\\]`));
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

  it.each([['--batch', '0x10'], ['--epochs', '1e2'], ['--g-hidden', '0x10,8'], ['--d-units', '1e1,4'], ['--g-hidden', '8,,8']])('%s %s is refused', (flag, text) => {
    expect(() => configOf(flag, text)).toThrow(new RegExp(`${flag} `));
  });
});
