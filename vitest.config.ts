import { defineConfig } from "vitest/config";

/** Test projects: unit (spec, helpers, client, fixtures) and types (expectTypeOf checks). */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          globalSetup: ["tests/global-setup.ts"],
          include: ["tests/unit/**/*.test.ts"],
          environment: "node",
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "conformance",
          globalSetup: ["tests/global-setup.ts", "tests/conformance/global-seed.ts"],
          include: ["tests/conformance/**/*.test.ts"],
          setupFiles: ["tests/conformance/setup.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // A real agent is shared state: one file at a time. The fixture agent lives per file.
          // Files share each worker's module cache (spec, validator, msw): setup.ts still runs per file.
          isolate: false,
          fileParallelism: !(process.env.NOMAD_CONFORMANCE_TARGET ?? process.env.NOMAD_ADDR ?? "").match(
            /^https?:|^unix:/,
          ),
        },
      },
      {
        test: {
          name: "types",
          include: [],
          typecheck: {
            enabled: true,
            only: true,
            include: ["tests/types/**/*.test-d.ts"],
            tsconfig: "./tsconfig.json",
          },
        },
      },
    ],
  },
});
