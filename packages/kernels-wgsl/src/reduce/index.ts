// Filled in by the reduce kernel module.
export {};
