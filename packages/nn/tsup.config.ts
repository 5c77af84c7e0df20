// The shared build settings (../../tsup.base.ts), with two entries: the browser-safe library
// (src/index.ts) and the Node entry (src/index.node.ts); package.json `exports` picks one.
import { defineConfig } from 'tsup';
import base from '../../tsup.base';

export default defineConfig({ ...base, entry: ['src/index.ts', 'src/index.node.ts'] });
