// Filled in by the matmul kernel module.
export {};
