// Writes src/kernel-exports.ts, the TypeScript declaration of every export of the kernel module,
// from what the AssemblyScript compiler says about it: build-wasm.mjs compiles each build with
// `--bindings raw`, whose typings (a .d.ts, kept in memory, never written) list every exported
// function with its parameters' names and wasm types, and every exported global. From those:
//
//  - a kernel is an exported function whose last two parameters are `tid: i32, nthreads: i32` and
//    that returns nothing (the contract, ../README.md): it is declared with the parameters before
//    those two, the arguments a launcher passes to WasmDevice.run (the pool appends tid, nthreads);
//  - any other exported function (heapBase, helpers that `export *` re-exports) is declared by
//    name and arity only, as not a kernel;
//  - an exported global is a constant (WasmDevice.constant).
//
// A function must have the same signature in every build; a kernel that only some builds export
// is declared too, and listed with those builds (WASM_KERNELS_ONLY_IN). Any other difference
// between the builds, or typings this parser does not understand, fails the build.

/**
 * The exports of one build, parsed from asc's `--bindings` typings: functions (name, source
 * path, parameters with their wasm types, wasm result type) and globals (name, wasm type), in
 * the typings' order (assembly/index.ts's order).
 */
export function parseTypings(dts, what) {
  const fail = (msg) => {
    throw new Error(`kernels-wasm: cannot read the AssemblyScript typings of ${what}: ${msg}`);
  };
  const functions = [];
  const globals = [];
  // A doc comment (no `*/` inside) directly followed by an export.
  const entry = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export (function|const) (\w+)([^;]*;)/g;
  let m;
  while ((m = entry.exec(dts)) !== null) {
    const [, doc, kind, name, rest] = m;
    if (kind === 'const') {
      if (name === 'memory') continue;
      const type = /@type `(\w+)`/.exec(rest);
      if (!/^: \{/.test(rest) || !type) fail(`the global ${name} is not declared as { get value(): number }`);
      globals.push({ name, type: type[1] });
      continue;
    }
    const source = /^\s*\*?\s*(assembly\/\S+)\/\w+\s*$/m.exec(doc);
    const params = [...doc.matchAll(/@param (\w+) `(\w+)`/g)].map((p) => ({ name: p[1], type: p[2] }));
    const signature = /^\((.*)\): (\w+);$/.exec(rest);
    if (!source || !signature) fail(`the function ${name}'s declaration is not of the expected form`);
    const names = signature[1] === '' ? [] : signature[1].split(', ').map((p) => p.split(':')[0]);
    if (names.join() !== params.map((p) => p.name).join()) fail(`the function ${name}'s @param tags do not match its parameters`);
    const result = /@returns `(\w+)`/.exec(doc)?.[1] ?? 'void';
    functions.push({ name, source: `${source[1]}.ts`, params, result });
  }
  const exported = (dts.match(/^\s*export (function|const) /gm) ?? []).length;
  if (exported !== functions.length + globals.length + 1) {
    fail(`${exported} exports declared, ${functions.length} functions and ${globals.length} globals (and memory) understood`);
  }
  if (functions.length === 0) fail('no function');
  return { functions, globals };
}

/** Whether an exported function follows the kernel contract (..., tid: i32, nthreads: i32): void. */
function isKernel(f) {
  const [tid, nthreads] = f.params.slice(-2);
  return f.result === 'void' && tid?.name === 'tid' && tid.type === 'i32' && nthreads?.name === 'nthreads' && nthreads.type === 'i32';
}

const signatureOf = (f) => `(${f.params.map((p) => `${p.name}: ${p.type}`).join(', ')}): ${f.result}`;

/**
 * The text of src/kernel-exports.ts from the parsed exports of every build (`builds`: a Map
 * from output name, e.g. 'kernels-relaxed', to parseTypings' result, in build order).
 */
export function renderKernelExports(builds) {
  const names = [...builds.keys()];
  const functions = new Map(); // name -> { f, builds }
  const globals = new Map();
  for (const [build, parsed] of builds) {
    for (const f of parsed.functions) {
      const seen = functions.get(f.name);
      if (!seen) functions.set(f.name, { f, builds: [build] });
      else if (signatureOf(seen.f) !== signatureOf(f)) {
        throw new Error(
          `kernels-wasm: ${f.name} is ${signatureOf(seen.f)} in ${seen.builds[0]} but ${signatureOf(f)} in ${build}; a kernel's signature must not depend on the build`,
        );
      } else seen.builds.push(build);
    }
    for (const g of parsed.globals) {
      const seen = globals.get(g.name);
      if (!seen) globals.set(g.name, { g, builds: [build] });
      else seen.builds.push(build);
    }
  }
  const kernels = [...functions.values()].filter(({ f }) => isKernel(f));
  const helpers = [...functions.values()].filter(({ f }) => !isKernel(f));
  for (const [what, list] of [
    ['function', helpers],
    ['constant', [...globals.values()]],
  ]) {
    for (const e of list) {
      if (e.builds.length !== names.length) {
        const name = (e.f ?? e.g).name;
        throw new Error(
          `kernels-wasm: the ${what} ${name} is exported by ${e.builds.join(', ')} only; only kernels may differ between builds (WASM_KERNELS_ONLY_IN)`,
        );
      }
    }
  }
  const onlyIn = kernels.filter((k) => k.builds.length !== names.length);
  const quote = (s) => `'${s}'`;
  const lines = [
    '// GENERATED FILE: do not edit. Written by packages/kernels-wasm/scripts/build-wasm.mjs (with',
    "// scripts/kernel-exports.mjs) from the AssemblyScript compiler's typings (`asc --bindings raw`)",
    `// of the builds of assembly/index.ts: ${names.join(', ')}.`,
    '// Rebuilding the module rewrites it: `pnpm --filter @saddle/kernels-wasm build:wasm` (also run by',
    '// `pnpm install` and `pnpm build`). test/tensor/wasm-kernel-exports.test.ts checks it against the',
    "// compiled modules (every export's name and arity, in every build); .ci/run fails when the",
    '// committed copy differs from what the build wrote.',
    '',
    '/**',
    ' * Every kernel the module exports (an exported function whose last two parameters are `tid`,',
    ' * `nthreads`: the contract in the package README), by name: the arguments a launcher passes to',
    ' * `WasmDevice.run`, in order, as a tuple labelled with the AssemblyScript parameter names. The',
    ' * trailing `tid, nthreads` are not in it: the pool appends them. Every argument is a JavaScript',
    ' * number (an i32, u32 or f32 value, a byte address for `usize`, 0 or 1 for `bool`).',
    ' */',
    'export interface WasmKernels {',
  ];
  for (const { f, builds: b } of kernels) {
    const own = f.params.slice(0, -2);
    const only = b.length === names.length ? '' : ` Only in the builds ${b.join(', ')}.`;
    lines.push(
      `  /** \`${f.source}\`: (${own
        .map((p) => `${p.name}: ${p.type}`)
        .concat('tid', 'nthreads')
        .join(', ')}).${only} */`,
    );
    lines.push(`  ${f.name}: readonly [${own.map((p) => `${p.name}: number`).join(', ')}];`);
  }
  lines.push(
    '}',
    '',
    '/** The name of a kernel export (see {@link WasmKernels}). */',
    'export type WasmKernelName = keyof WasmKernels;',
    '',
    '/** The arguments of kernel `K` as `WasmDevice.run` takes them (before the `tid, nthreads` the pool appends). */',
    'export type WasmKernelArgs<K extends WasmKernelName> = WasmKernels[K];',
    '',
    "/** Each kernel's number of arguments (its wasm arity is this plus 2: tid, nthreads), for checks against a compiled module. */",
    'export const WASM_KERNEL_ARITY = {',
    ...kernels.map(({ f }) => `  ${f.name}: ${f.params.length - 2},`),
    "} as const satisfies { readonly [K in WasmKernelName]: WasmKernels[K]['length'] };",
    '',
    '/** The output names of the builds of the module (build/<name>.wasm). */',
    `export type KernelModuleName = ${names.map(quote).join(' | ')};`,
    '',
    '/** Kernels that only some builds export, with those builds (every other kernel is in every build). */',
    `export const WASM_KERNELS_ONLY_IN: { readonly [K in WasmKernelName]?: readonly KernelModuleName[] } = {${onlyIn.length ? '' : '};'}`,
    ...(onlyIn.length ? [...onlyIn.map(({ f, builds: b }) => `  ${f.name}: [${b.map(quote).join(', ')}],`), '};'] : []),
    '',
    '/**',
    ' * Exported functions that are not kernels (no `tid, nthreads`), by arity: `heapBase`, called once',
    " * by the device, and helpers that assembly/index.ts's `export *` re-exports. Never run by the pool.",
    ' */',
    'export const WASM_NON_KERNEL_ARITY = {',
    ...helpers.map(({ f }) => `  ${f.name}: ${f.params.length}, // ${f.source}: ${signatureOf(f)}`),
    '} as const;',
    '',
    '/** The constants (exported globals) of the module, read with `WasmDevice.constant`; their values may differ by build. */',
    'export const WASM_CONSTANTS = [',
    ...[...globals.values()].map(({ g }) => `  '${g.name}', // ${g.type}`),
    '] as const;',
    '',
    '/** The name of a constant the module exports (see {@link WASM_CONSTANTS}). */',
    'export type WasmConstantName = (typeof WASM_CONSTANTS)[number];',
    '',
  );
  return lines.join('\n');
}
