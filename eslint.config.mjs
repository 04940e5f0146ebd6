// Lint rules. The important one: the browser-safe core (everything but src/node, lab entry
// scripts, tests, benchmarks and tooling) may not touch Node or real time/randomness. Time,
// timers, randomness, disk and network reach the core through ports (Clock, Rng, Disk, Transport).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const nodeOnly = [
  "src/node/**",
  "labs/*/lab.ts",
  "labs/*/*.test.ts",
  "scripts/**",
  "bench/**",
  "test/**",
  "**/*.test.ts",
  "*.config.ts",
  "*.config.mjs",
  "docusaurus.config.ts",
  "sidebars.ts",
];

export default tseslint.config(
  { ignores: ["node_modules/**", "build/**", ".docusaurus/**", "coverage/**", "i18n/**/*.json", "**/*.d.ts", "reports/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    files: ["**/*.ts", "**/*.tsx"],
    ignores: nodeOnly,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*"], message: "The browser-safe core may not import Node modules; use a port (Disk, Clock, Rng, Transport)." },
            { group: ["fs", "path", "os", "net", "child_process", "crypto", "zlib", "url", "util", "events", "stream", "worker_threads", "timers"], message: "Node built-ins are for src/node only." },
            { group: ["**/node/**", "**/src/node", "../node", "../../node"], message: "The core may not depend on src/node." },
          ],
        },
      ],
      "no-restricted-globals": [
        "error",
        { name: "Buffer", message: "Use Uint8Array in the core." },
        { name: "process", message: "process is Node-only; pass configuration in." },
        { name: "setTimeout", message: "Use the Clock/scheduler port." },
        { name: "setInterval", message: "Use the Clock/scheduler port." },
        { name: "setImmediate", message: "Use the Clock/scheduler port." },
        { name: "require", message: "Use ES imports." },
        { name: "__dirname", message: "Node-only." },
      ],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "Use the Clock port: time is virtual in the simulator." },
        { object: "Math", property: "random", message: "Use the seeded Rng port." },
        { object: "performance", property: "now", message: "Use the Clock port." },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "new Date() reads real time; use the Clock port." },
      ],
    },
  },
);
