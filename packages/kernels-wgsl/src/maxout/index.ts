// Filled in by the maxout kernel module.
export {};
