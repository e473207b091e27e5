/** Credit scoring app (German Credit). */
export {};
