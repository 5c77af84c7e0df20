// Filled in by the bce kernel module.
export {};
