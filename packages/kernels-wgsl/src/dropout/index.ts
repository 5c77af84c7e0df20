// Filled in by the dropout kernel module.
export {};
