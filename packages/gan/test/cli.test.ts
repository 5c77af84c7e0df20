import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pngjs from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run } from './fixtures/run-cli.js';
import { RUN_FILES } from '../src/run/run-folder.js';

const root = mkdtempSync(join(tmpdir(), 'gan-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('gan CLI errors', () => {
  it.each([
    [['train', '--epoch', '3'], /Unknown option '--epoch'.*--epochs/],
    [['train', '--k', '0'], /--k 0: expected an integer >= 1/],
    [['train', '--batch', 'ten'], /--batch ten: expected an integer >= 1/],
    [['train', '--lr', '0'], /--lr 0: expected a positive number/],
    [['train', '--lr=-1'], /--lr -1: expected a positive number/],
    [['train', '--minutes', 'soon'], /--minutes soon: expected a positive number/],
    [['train', '--z-dist', 'cauchy'], /--z-dist cauchy: expected one of uniform, gaussian/],
    [['train', '--update', 'sometimes'], /--update sometimes: expected one of alternating, simultaneous/],
    [['train', '--g-loss', 'hinge'], /--g-loss hinge: expected one of non-saturating, saturating/],
    [['train', '--preset', 'huge'], /--preset huge: expected one of paper, quick, conv, tiny/],
    [['train', '--device', 'tpu'], /--device tpu: expected one of auto, cpu, webgpu, wasm/],
    [['train', '--update', 'simultaneous', '--k', '2'], /k is 2; expected 1 with --update simultaneous/],
    [['train', '--r1=-1'], /--r1 -1: expected a non-negative number/],
    [['train', '--r1', 'strong'], /--r1 strong: expected a non-negative number/],
    [['train', '--r1', 'Infinity'], /--r1 Infinity: expected a non-negative number/],
    [['train', '--r1-every', '0'], /--r1-every 0: expected an integer >= 1/],
    [['train', '--r1-every', '1.5'], /--r1-every 1.5: expected an integer >= 1/],
    [['train', '--epochs'], /--epochs/],
    [['train', '--g-hidden', '256,,256'], /--g-hidden 256,,256: expected comma-separated layer widths/],
    [['train', '--d-units', '128,0'], /--d-units 128,0: expected comma-separated layer widths/],
    [['train', '--d-pieces', '0'], /--d-pieces 0: expected an integer >= 1/],
    [['train', '--momentum', '1'], /--momentum 1: expected a number in \[0, 1\)/],
    [['train', '--lr-decay', '0.99'], /--lr-decay 0.99: expected a number >= 1/],
    [['train', '--lr-anneal', '1.2'], /--lr-anneal 1.2: expected a fraction in \[0, 1\]/],
    [['train', '--g-ema', '1'], /--g-ema 1: expected a number in \[0, 1\)/],
    [['train', '--threads', '0'], /--threads 0: expected an integer >= 1/],
    [['train', '--threads', '2', '--device', 'cpu', '--preset', 'tiny'], /--threads 2: only the wasm device/],
    [['train', 'myrun'], /unexpected argument 'myrun'.*--resume myrun/],
    [['train', '--resume', join(root, 'nowhere')], /has no checkpoint\.json/],
    [['eval'], /eval: expected one run/],
    [['sample', join(root, 'nowhere'), '--out', 'x.f32'], /--n N is required/],
    [['fit'], /unknown command 'fit'/],
  ])('%j fails with a clear message and exit code 2', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/^gan: error: /);
  });

  it('help prints the usage', async () => {
    const r = await run('help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: pnpm gan <command>/);
    expect(r.out).toMatch(/--update alternating\|simultaneous/);
  });
});

describe('gan train / sample / eval on a small MNIST subset', () => {
  const dir = join(root, 'tiny-run');

  it('train writes every file of the run folder', async () => {
    const r = await run(
      'train',
      '--preset',
      'tiny',
      '--device',
      'cpu',
      '--out',
      dir,
      '--train-n',
      '200',
      '--val-n',
      '100',
      '--batch',
      '20',
      '--epochs',
      '2',
      '--seed',
      '3',
      '--log-every',
      '2',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/preset: tiny \(--preset\)/);
    expect(r.out).toMatch(/epoch 2\/2: 10 it/);
    for (const f of Object.values(RUN_FILES)) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.safetensors'))).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toHaveLength(0);

    const config = JSON.parse(readFileSync(join(dir, RUN_FILES.config), 'utf8'));
    expect(config.preset).toBe('tiny');
    expect(config.device).toBe('cpu');
    expect(config.deviceReason).toBe('--device cpu');
    expect(config.config.seed).toBe(3);
    expect(config.config.batch).toBe(20);
    expect(config.config.r1Gamma).toBe(0);

    const lines = readFileSync(join(dir, RUN_FILES.metrics), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.epoch)).toEqual([1, 2]);
    for (const l of lines) {
      expect(l.iterations).toBe(10);
      for (const k of ['dLoss', 'gLoss', 'dReal', 'dFake', 'value', 'msPerIteration']) expect(Number.isFinite(l[k]), k).toBe(true);
    }

    const png = (f: string) => pngjs.PNG.sync.read(readFileSync(join(dir, f)));
    const samples = png(RUN_FILES.samples);
    expect([samples.width, samples.height]).toEqual([10 * 30 + 2, 10 * 30 + 2]);
    expect(png(RUN_FILES.interpolation).width).toBeGreaterThan(28 * 10);
    expect(png(RUN_FILES.nearest).width).toBeGreaterThan(28 * 10);
    const svg = readFileSync(join(dir, RUN_FILES.curves), 'utf8');
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toMatch(/data-series="D loss"/);
    expect(svg).toMatch(/V\(D, G\)/);
  });

  it('train --resume continues the run (more epochs) and keeps its history', async () => {
    const r = await run('train', '--resume', dir, '--epochs', '3', '--device', 'cpu');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/resuming at epoch 3, iteration 0/);
    const lines = readFileSync(join(dir, RUN_FILES.metrics), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.epoch)).toEqual([1, 2, 3]);
    const bad = await run('train', '--resume', dir, '--lr', '0.5');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--lr cannot be changed/);
    // R1 changes what is trained: a run without it cannot be resumed with it.
    for (const flag of ['--r1', '--r1-every', '--d-init', '--g-init', '--d-lr', '--g-lr']) {
      const r1 = await run('train', '--resume', dir, flag, '2');
      expect(r1.code).toBe(2);
      expect(r1.err).toMatch(new RegExp(`${flag} cannot be changed`));
    }
  });

  it('train --r1 GAMMA --r1-every N trains with the penalty and records it in config.json', async () => {
    const r1Dir = join(root, 'r1-run');
    const r = await run(
      'train',
      '--preset',
      'tiny',
      '--device',
      'cpu',
      '--out',
      r1Dir,
      '--train-n',
      '40',
      '--val-n',
      '20',
      '--batch',
      '10',
      '--epochs',
      '1',
      '--r1',
      '5',
      '--r1-every',
      '2',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/R1 gamma 5 every 2 D steps/);
    const config = JSON.parse(readFileSync(join(r1Dir, RUN_FILES.config), 'utf8'));
    expect(config.config.r1Gamma).toBe(5);
    expect(config.config.r1Every).toBe(2);
    const [line] = readFileSync(join(r1Dir, RUN_FILES.metrics), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const k of ['dLoss', 'gLoss', 'value']) expect(Number.isFinite(line[k]), k).toBe(true);
  });

  it("train --preset paper (the tiny shapes) trains with the authors' simultaneous update; --update alternating gives Algorithm 1", async () => {
    const shapes = [
      '--g-hidden',
      '16',
      '--d-units',
      '8',
      '--d-pieces',
      '2',
      '--train-n',
      '40',
      '--val-n',
      '20',
      '--batch',
      '10',
      '--epochs',
      '1',
      '--device',
      'cpu',
    ];
    for (const [extra, update] of [
      [[], 'simultaneous'],
      [['--update', 'alternating'], 'alternating'],
    ] as const) {
      const out = join(root, `paper-${update}`);
      const r = await run('train', '--preset', 'paper', ...shapes, ...extra, '--out', out);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(new RegExp(`batch 10, k 1, ${update},`));
      const config = JSON.parse(readFileSync(join(out, RUN_FILES.config), 'utf8'));
      expect(config.config.update).toBe(update);
      const [line] = readFileSync(join(out, RUN_FILES.metrics), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect([line.dSteps, line.gSteps]).toEqual([4, 4]);
    }
    // The paper preset's simultaneous update takes one minibatch per iteration: k > 1 needs Algorithm 1.
    const k2 = await run('train', '--preset', 'paper', ...shapes, '--k', '2', '--out', join(root, 'paper-k2'));
    expect(k2.code).toBe(2);
    expect(k2.err).toMatch(/k is 2; expected 1 with --update simultaneous \(the paper preset's default.*--update alternating/);
  });

  it('sample writes n x 784 little-endian float32 values in [0, 1], repeatable with --seed', async () => {
    const f1 = join(root, 'a.f32');
    const f2 = join(root, 'b.f32');
    expect((await run('sample', dir, '--n', '7', '--out', f1, '--device', 'cpu', '--seed', '5')).code).toBe(0);
    expect((await run('sample', dir, '--n', '7', '--out', f2, '--device', 'cpu', '--seed', '5')).code).toBe(0);
    expect(statSync(f1).size).toBe(7 * 784 * 4);
    const bytes = readFileSync(f1);
    expect(bytes.equals(readFileSync(f2))).toBe(true);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < 7 * 784; i += 97) {
      const v = view.getFloat32(i * 4, true);
      expect(v >= 0 && v <= 1).toBe(true);
    }
  });

  it('eval prints the Parzen estimate (small protocol) and writes parzen.json', async () => {
    const r = await run('eval', dir, '--n', '200', '--test-n', '100', '--val-n', '50', '--device', 'cpu');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/test log-likelihood: -?[0-9.]+ ± [0-9.]+/);
    const p = JSON.parse(readFileSync(join(dir, 'parzen.json'), 'utf8'));
    expect(Number.isFinite(p.mean)).toBe(true);
    expect(p.perSigma).toHaveLength(10);
    expect(p.testImages).toBe(100);
    // The samples' speckle, beside MNIST's own (a share, and specks per image).
    expect(r.out).toMatch(/speckle: [0-9.]+ specks per sample/);
    expect(p.speckle.images).toBe(200);
    expect(p.speckle.imagesWithSpecks).toBeGreaterThanOrEqual(0);
    expect(p.speckle.imagesWithSpecks).toBeLessThanOrEqual(1);
    expect(p.mnistValidationSpeckle.specksPerImage).toBeLessThan(0.1);
  });

  it('a run with --g-ema is evaluated (and sampled) through the averaged G, which gan eval says', async () => {
    const emaDir = join(root, 'tiny-ema');
    const t = await run(
      'train',
      '--preset',
      'tiny',
      '--device',
      'wasm',
      '--threads',
      '1',
      '--out',
      emaDir,
      '--train-n',
      '100',
      '--val-n',
      '50',
      '--batch',
      '20',
      '--epochs',
      '1',
      '--g-ema',
      '0.5',
    );
    expect(t.code, t.err).toBe(0);
    expect(JSON.parse(readFileSync(join(emaDir, RUN_FILES.config), 'utf8')).config.gEma).toBe(0.5);
    const r = await run('eval', emaDir, '--n', '100', '--test-n', '50', '--val-n', '50', '--device', 'cpu');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/generator: the moving average of G's weights \(decay 0\.5\)/);
    expect(JSON.parse(readFileSync(join(emaDir, 'parzen.json'), 'utf8')).averagedGenerator).toBe(true);
  });
});
