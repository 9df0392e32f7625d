import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { mutants } from "../../src/fixtures/mutants.ts";

/**
 * The suite must catch what is wrong: each deliberately broken fixture variant (src/fixtures/mutants.ts)
 * must make the behaviour that names its deviation fail. The clean fixture passing is the
 * conformance project of `npm test`.
 */
const root = fileURLToPath(new URL("../..", import.meta.url));

describe("mutation testing of the conformance suite", () => {
  const out = join(mkdtempSync(join(tmpdir(), "nc-mutants-")), "report.json");
  const run = spawnSync(
    process.execPath,
    [
      join(root, "node_modules/vitest/vitest.mjs"),
      "run",
      "--config",
      "vitest.mutants.config.ts",
      "--reporter=./tests/mutants-reporter.ts",
    ],
    {
      cwd: root,
      encoding: "utf8",
      timeout: 240_000,
      env: {
        ...process.env,
        NOMAD_ADDR: "",
        NOMAD_CONFORMANCE_TARGET: "fixtures",
        NOMAD_CONFORMANCE_MUTANT_REPORT: out,
      },
    },
  );
  const rows = JSON.parse(readFileSync(out, "utf8")) as { project: string; title: string; state: string }[];
  /** State of behaviour `id` in the run of mutant `name`. */
  const stateOf = (name: string, id: string) =>
    rows.find((r) => r.project === `mutant:${name}` && r.title.startsWith(`${id}: `))?.state;

  it("ran (exit code 1: every variant fails something)", () => {
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(1);
    expect(Object.keys(mutants).length).toBeGreaterThanOrEqual(20);
  });

  it.each(Object.entries(mutants))("%s is caught by its behaviour", (name, m) => {
    expect(stateOf(name, m.catches), `${m.catches} must fail when: ${m.deviation}`).toBe("failed");
  });
});
