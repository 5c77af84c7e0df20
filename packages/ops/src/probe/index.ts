// Roofline probes: the adapter's FMA rate and copy bandwidth (docs/performance.md, "Roofline").
export { recordFmaProbe, recordCopyProbe } from './probe.js';
export { probeFmaWgsl, probeCopyWgsl, FMA_PROBE_FLOPS_PER_ITER, PROBE_WORKGROUP } from './probe.wgsl.js';
