export * from "./alloy";
export * from "./datasource";
export * from "./files";
export * from "./loki";
export * from "./paths";
export * from "./queries";
