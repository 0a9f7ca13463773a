export * from "./configFiles";
export * from "./container";
export * from "./dockerHost";
export * from "./host";
export * from "./observabilityStack";
export * from "./prometheus";
export * from "./pulumiConfig";
export * from "./renderForHost";
