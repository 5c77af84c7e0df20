// The Node entry of @saddle/tensor (package.json `exports`, "node" condition): the library of
// ./index.ts with Node's host installed (Dawn, worker_threads, node:os; see ./host/node.ts).
import { setHost } from './host/host.js';
import { nodeHost } from './host/node.js';

setHost(nodeHost);

export * from './index.js';
export { nodeHost } from './host/node.js';
