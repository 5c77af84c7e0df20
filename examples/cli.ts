/**
 * `pnpm example <name> [flags]`: runs examples/<name>/main.ts. Each example is a small program a
 * reader can copy to start a model of their own.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'main.ts')))
  .map((d) => d.name);
const name = process.argv[2];
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: pnpm example <name> [flags]\n${name ? `no example named '${name}'; ` : ''}examples: ${available.join(', ')}\n`);
  process.exit(2);
}
const { main } = (await import(pathToFileURL(join(here, name, 'main.ts')).href)) as { main: (argv: string[]) => Promise<void> };
await main(process.argv.slice(3));
