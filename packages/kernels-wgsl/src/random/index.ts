// Filled in by the random kernel module.
export {};
