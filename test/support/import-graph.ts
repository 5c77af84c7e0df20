/**
 * The import graph of the workspace's TypeScript sources, and its cycles. Every `import`/`export
 * ... from`, side-effect import and dynamic `import('...')` is an edge; `import type` and
 * `export type` ones are marked type-only (erased at run time). Relative specifiers resolve to
 * files (`./x.js` is `./x.ts`); `@saddle/<pkg>` to `packages/<pkg>/src/index.ts`.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export type ImportGraph = Map<string, string[]>;

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

export interface ImportSpecifier {
  spec: string;
  /** `import type ...` or `export type ... from`: no run-time dependency. */
  typeOnly: boolean;
}

/** The module specifiers a source file imports (comments removed first). */
export function importSpecifiers(source: string): ImportSpecifier[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const specs: ImportSpecifier[] = [];
  for (const m of code.matchAll(/\b(import|export)(\s+type\b)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g)) specs.push({ spec: m[3]!, typeOnly: m[2] !== undefined });
  for (const m of code.matchAll(/\bimport\s*['"]([^'"]+)['"]/g)) specs.push({ spec: m[1]!, typeOnly: false });
  for (const m of code.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push({ spec: m[1]!, typeOnly: false });
  return specs;
}

function resolveSpecifier(spec: string, from: string, root: string): string | null {
  const saddle = /^@saddle\/([^/]+)$/.exec(spec);
  if (saddle) {
    const index = join(root, 'packages', saddle[1]!, 'src', 'index.ts');
    return existsSync(index) ? index : null;
  }
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/**
 * The graph of every .ts file under `dirs` (absolute paths), edges to the files they import among
 * them; with `runtimeOnly`, type-only imports are left out.
 */
export function importGraph(dirs: readonly string[], root: string, options: { runtimeOnly?: boolean } = {}): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const dir of dirs) for (const f of tsFiles(dir)) graph.set(f, []);
  for (const [file, edges] of graph) {
    for (const { spec, typeOnly } of importSpecifiers(readFileSync(file, 'utf8'))) {
      if (typeOnly && options.runtimeOnly) continue;
      const target = resolveSpecifier(spec, file, root);
      if (target && graph.has(target) && !edges.includes(target)) edges.push(target);
    }
  }
  return graph;
}

/** The cycles of `graph`: one per strongly connected component of two or more modules (or a self-import), as a path. */
export function importCycles(graph: ImportGraph, root: string): string[][] {
  // Tarjan's algorithm, iterative over an explicit stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: [string, number][] = [[start, 0]];
    while (work.length) {
      const frame = work[work.length - 1]!;
      const [v, i] = frame;
      if (i === 0 && !index.has(v)) {
        index.set(v, next);
        low.set(v, next++);
        stack.push(v);
        onStack.add(v);
      }
      const edges = graph.get(v)!;
      if (i < edges.length) {
        frame[1]++;
        const w = edges[i]!;
        if (!index.has(w)) work.push([w, 0]);
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]![0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1 || graph.get(v)!.includes(v)) components.push(comp);
      }
    }
  }
  // One readable cycle per component: a shortest path from its first module back to it.
  return components.map((comp) => {
    const inComp = new Set(comp);
    const first = comp.sort()[0]!;
    const prev = new Map<string, string>();
    const queue = [first];
    let end: string | null = null;
    while (queue.length && end === null) {
      const v = queue.shift()!;
      for (const w of graph.get(v)!) {
        if (!inComp.has(w)) continue;
        if (w === first) {
          end = v;
          break;
        }
        if (!prev.has(w)) {
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    const path = [first];
    for (let v = end!; v !== first; v = prev.get(v)!) path.splice(1, 0, v);
    path.push(first);
    return path.map((p) => relative(root, p));
  });
}
