/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // Pulumi mocks and real servers (promtool, amtool, PostgreSQL) are slower than pure unit tests.
  testTimeout: 60000,
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
};
