#!/usr/bin/env node
// `pnpm test:browser [--update-screenshots] [vitest options]`: the demo's end-to-end tests. The
// screenshots go to a temporary folder (printed at the end of the run) unless
// --update-screenshots asks for the tracked docs/images/demo-*.png to be rewritten (vitest itself
// refuses options it does not know, so this flag travels as SADDLE_UPDATE_SCREENSHOTS=1).
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const update = args.includes('--update-screenshots');
const rest = args.filter((a) => a !== '--update-screenshots');
const env = { ...process.env, ...(update ? { SADDLE_UPDATE_SCREENSHOTS: '1' } : {}) };
const r = spawnSync('vitest', ['run', 'demo/test', ...rest], { stdio: 'inherit', env, shell: process.platform === 'win32' });
process.exit(r.status ?? 1);
