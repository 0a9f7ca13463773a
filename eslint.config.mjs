// ESLint (flat config): typescript-eslint's recommended rules on every file, plus the type-aware rules that
// catch real bugs (a promise nobody awaits, an object printed as "[object Object]"). Formatting is Prettier's
// job (`.prettierrc.json`): no stylistic rule here, so the two never disagree.
//
// Not `recommendedTypeChecked` as a whole: its `no-unsafe-*` rules flag every `JSON.parse` a test reads back
// (some 60 places) and would push casts, not checks, into the tests; the compiler's `strict` already forbids
// `any` in the code.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "bin/", "out/", "rendered/", "scratch/", "policy/node_modules/", "policy/bin/"] },
  eslint.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      // Unused names are the compiler's too (`noUnusedLocals`, `noUnusedParameters`); `_name` marks one kept on purpose.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      // A deploy step or a test cleanup that nobody awaits fails silently, or after the test has passed.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      // An error message that says "[object Object]" tells nobody what to fix.
      "@typescript-eslint/no-base-to-string": "error",
      "@typescript-eslint/no-duplicate-type-constituents": "error",
    },
  },
  {
    // CommonJS config files of the tools (jest.config.js).
    files: ["**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { module: "writable", require: "readonly", __dirname: "readonly" },
    },
  },
);
