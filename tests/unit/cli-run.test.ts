/**
 * `runSuite` end to end with a synthetic conformance project (a temp dir with its own vitest config
 * and tests that attach `meta.nomad`), in a child process: statuses on the ladder, reports and
 * junit.xml written and redacted, exit codes, and the run deadline cancelling a hanging test.
 */
import { execFile } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TOKEN = "nc-run-SECRET-5b6c7d8e9f0a1b2c";
const dir = mkdtempSync(join(tmpdir(), "nc-run-"));

const SUITE = `
import { expect, it } from "vitest";
const meta = (task, id, extra = {}) => {
  task.meta.nomad = { id, operation: "op", check: "shape", exchanges: [], seen: {}, drift: [], ...extra };
};
it("x/a/pass: passes", ({ task }) => meta(task, "x/a/pass", { seen: { "#/components/schemas/S": ["A"] } }));
it("x/a/fail: fails", ({ task }) => {
  meta(task, "x/a/fail", { exchanges: [{ request: { method: "GET", url: "http://h/v1/x", headers: {} },
    response: { status: 200, headers: {}, body: "<script>" + process.env.NOMAD_TOKEN, truncated: false } }] });
  console.log("leak " + process.env.NOMAD_TOKEN);
  expect(1, "token " + process.env.NOMAD_TOKEN).toBe(2);
});
it("x/b/error: breaks", () => { throw new TypeError("boom " + process.env.NOMAD_TOKEN); });
it("x/b/skip: skips", ({ skip }) => skip("the target agent runs no server"));
it("y/c/other: is filtered", () => {});
it("z/hang/forever: hangs", async () => { if (process.env.HANG) await new Promise(() => {}); }, 60_000);
`;

const behaviour = (id: string) => ({
  id,
  testname: `does ${id}`,
  description: `${id} MUST hold`,
  operation: `op-${id.split("/")[1]}`,
  check: id.endsWith("skip") ? "acl" : "shape",
  since: "1.0.0",
  requires: [],
  source: "agent",
  file: "01-x.test.ts",
});
const CATALOGUE = ["x/a/pass", "x/a/fail", "x/b/error", "x/b/skip", "y/c/other", "z/hang/forever"].map(
  behaviour,
);

const RUNNER = `
import { runSuite } from ${JSON.stringify(join(ROOT, "src/cli/run.ts"))};
import { resolveRunSettings } from ${JSON.stringify(join(ROOT, "src/cli/config.ts"))};
const [filter, out, deadline] = process.argv.slice(2);
const settings = resolveRunSettings({ filter: filter || undefined, out }, process.env, ${JSON.stringify(dir)});
const { exitCode } = await runSuite({
  settings, catalogue: ${JSON.stringify(CATALOGUE)}, families: {}, version: "0.0.0",
  spec: { components: { schemas: { S: { type: "object", properties: { A: {}, B: {} } } } } },
  root: ${JSON.stringify(dir)}, configFile: ${JSON.stringify(join(dir, "vitest.config.mjs"))},
  ...(deadline ? { deadlineMs: Number(deadline), closeGraceMs: 1500 } : {}),
});
process.exit(exitCode);
`;

mkdirSync(join(dir, "suite"));
symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
writeFileSync(join(dir, "suite/01-x.test.ts"), SUITE);
writeFileSync(
  join(dir, "vitest.config.mjs"),
  `export default { test: { projects: [{ test: { name: "conformance", include: ["suite/**/*.test.ts"] } }] } };\n`,
);
writeFileSync(join(dir, "runner.mts"), RUNNER);

function run(args: string[], env: Record<string, string> = {}) {
  const started = Date.now();
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NOMAD_|VITEST)/.test(k)));
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    execFile(
      join(ROOT, "node_modules/.bin/tsx"),
      [join(dir, "runner.mts"), ...args],
      { cwd: dir, env: { ...clean, NOMAD_TOKEN: TOKEN, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === "number" ? error.code : error ? null : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

const filesIn = (out: string) =>
  readdirSync(out).map((f) => [f, readFileSync(join(out, f), "utf8")] as const);

describe.concurrent("runSuite (child process)", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports every status, writes redacted reports and exits 1", async () => {
    const out = join(dir, "out-all");
    const r = await run(["x/", out]);
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.stdout).toMatch(/^PASS {2}x\/a\/pass/m);
    expect(r.stdout).toMatch(/^FAIL {2}x\/a\/fail .* — token <redacted>/m);
    expect(r.stdout).toMatch(/^ERROR x\/b\/error .* — boom <redacted>/m);
    expect(r.stdout).toMatch(/^SKIP {2}x\/b\/skip — the target agent runs no server$/m);
    expect(r.stdout).not.toMatch(/y\/c\/other/);
    expect(r.stdout.trimEnd().split("\n").at(-2)).toBe("conformance: 1 passed, 2 failed, 1 skipped");
    const files = filesIn(out);
    expect(files.map(([f]) => f).sort()).toEqual([
      "drift.json",
      "junit.xml",
      "report.html",
      "results.json",
      "summary.md",
    ]);
    for (const [name, text] of [...files, ["stdout", r.stdout], ["stderr", r.stderr]]) {
      expect(text, name).not.toContain(TOKEN);
    }
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    const status = Object.fromEntries(
      results.behaviours.map((b: { id: string; status: string }) => [b.id, b.status]),
    );
    expect(status).toEqual({
      "x/a/fail": "fail",
      "x/a/pass": "pass",
      "x/b/error": "error",
      "x/b/skip": "skip",
      "y/c/other": "disabled",
      "z/hang/forever": "disabled",
    });
    expect(results.drift.neverSeen.map((d: { property: string }) => d.property)).toEqual(["B"]);
    expect(readFileSync(join(out, "junit.xml"), "utf8")).toMatch(/<testsuites name="nomad-conformance"/);
  });

  it("exits 0 when the selected behaviours conform (filter matches an id prefix both ways)", async () => {
    const out = join(dir, "out-pass");
    const r = await run(["x/a/pass/extra", out]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8")).counts).toMatchObject({
      pass: 1,
      disabled: 5,
    });
    expect(readFileSync(join(out, "summary.md"), "utf8")).toMatch(/^## ✅ Nomad conformance: conformant/);
  });

  it("cancels a run past its deadline and still writes the reports", async () => {
    const out = join(dir, "out-hang");
    const r = await run(["z/", out, "1500"], { HANG: "1" });
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.ms).toBeLessThan(20_000);
    expect(r.stdout).toMatch(/the run exceeded 1500 ms and was cancelled/);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(results.interrupted).toBe(true);
    expect(results.verdict).toBe("not conformant");
    expect(results.behaviours.find((b: { id: string }) => b.id === "z/hang/forever").status).toBe("error");
  });
});
