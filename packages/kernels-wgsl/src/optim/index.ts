// Filled in by the optim kernel module.
export {};
