export * from "./schema";
export * from "./secrets";
export * from "./load";
export * from "./images";
export { durationToMs, memoryToBytes } from "./primitives";
export * from "./services";
