/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // Pulumi mocks and real servers (promtool, amtool, PostgreSQL) are slower than pure unit tests.
  testTimeout: 60000,
  // Two workers on the 2-core CI machine (jest's default would be one): most suites wait on real servers, timers
  // and namespaces (the e2e lanes, the rehearsal, Suricata replays), not on the CPU, so two at once halve the run.
  maxWorkers: 2,
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
};
