// Filled in by the shape kernel module.
export {};
