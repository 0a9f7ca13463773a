/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // Pulumi mocks and real servers (promtool, amtool, PostgreSQL) are slower than pure unit tests, and a resource
  // graph of the scale stack has taken over 60 s in a hook on a loaded 2-core machine: the default per test and hook
  // leaves room for that; a test that waits on a server still bounds its own wait with a message.
  testTimeout: 180000,
  // Two workers on the 2-core CI machine (jest's default would be one): most suites wait on real servers, timers
  // and namespaces (the e2e lanes, the rehearsal, Suricata replays), not on the CPU, so two at once halve the run.
  maxWorkers: 2,
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
};
