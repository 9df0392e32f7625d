/**
 * `npm run bench:suite`: wall time of full conformance runs against the built-in fixtures (vitest
 * start included), and the time of each family (test file). Not a timed test: it prints figures for
 * BENCHMARKS.md. Set NC_BENCH_RUNS (default 3).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const runs = Number(process.env.NC_BENCH_RUNS ?? 3);

interface Report {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; startTime: number; endTime: number }[];
}

const walls: number[] = [];
const families = new Map<string, number[]>();
for (let i = 0; i < runs; i++) {
  const out = join(mkdtempSync(join(tmpdir(), "nc-bench-")), "r.json");
  const started = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      join(root, "node_modules/vitest/vitest.mjs"),
      "run",
      "--project",
      "conformance",
      "--reporter=json",
      `--outputFile=${out}`,
    ],
    {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, NOMAD_ADDR: "", NOMAD_CONFORMANCE_TARGET: "fixtures" },
    },
  );
  const wall = performance.now() - started;
  const report = JSON.parse(readFileSync(out, "utf8")) as Report;
  if (r.status !== 0 || report.numFailedTests > 0)
    throw new Error(`run ${i + 1} failed: ${r.stderr.slice(-500)}`);
  walls.push(wall);
  for (const f of report.testResults) {
    const name = basename(f.name, ".test.ts");
    families.set(name, [...(families.get(name) ?? []), f.endTime - f.startTime]);
  }
  console.log(`run ${i + 1}: ${(wall / 1000).toFixed(2)} s wall, ${report.numPassedTests} passed`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(`\nfull run (vitest start included), median of ${runs}: ${(median(walls) / 1000).toFixed(2)} s`);
console.log("per family (file time inside the run, median; files run in parallel on 2 workers):");
for (const [name, ts] of [...families].sort())
  console.log(`  ${name.padEnd(24)} ${(median(ts) / 1000).toFixed(2)} s`);
console.log(
  `load average at the end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
