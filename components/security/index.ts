export * from "./hostAgent";
export * from "./hostSecurity";
