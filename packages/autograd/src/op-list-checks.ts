/**
 * The compiler's checks of the op list (op-list.ts) against ops.ts and @saddle/ops. They live apart
 * from the list because ops.ts imports the rules, and the rules import the list: checking the list
 * in op-list.ts itself would close an import cycle. Nothing imports this file; `pnpm typecheck`
 * compiles it, and a failed check is a compile error here.
 */
import type * as opsModule from './ops.js';
import type * as kernels from '@saddle/ops';
import type { OpName } from './op-list.js';

/** The names ops.ts exports as values (its functions, classes and constants). */
export type OpsExport = keyof typeof opsModule;

// The list names every export of ops.ts, and nothing else: an op added to ops.ts and left out of the
// list, or a name in the list that ops.ts lacks, fails to compile here.
type NotListed = Exclude<OpsExport, OpName>;
type NotExportedByOps = Exclude<OpName, OpsExport>;
const EVERY_EXPORT_LISTED: [NotListed] extends [never] ? true : { notListed: NotListed; notExportedByOps: NotExportedByOps } = true;
void EVERY_EXPORT_LISTED;

// The named elementwise ops (@saddle/ops namedElementwiseOps: one for each op of the kernel tables,
// the unary `copy` being `contiguous`) must be exported by @saddle/ops and by ops.ts, each with its
// doc comment: a kernel added to ops-table.ts and not exported by name fails to compile here.
type NamedOpName = kernels.UnaryAliasName | kernels.BinaryOpName;
type NotExported = Exclude<NamedOpName, keyof typeof kernels>;
const ALIASES_OF_EVERY_KERNEL: [NotExported] extends [never] ? true : { notExportedByName: NotExported } = true;
void ALIASES_OF_EVERY_KERNEL;
