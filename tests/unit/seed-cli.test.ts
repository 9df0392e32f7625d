/**
 * The seed job end to end: the CLI (bin/nomad-conformance.js, a child process) runs the conformance
 * project against the fixture agent on a real socket as a LIVE target — management token, writes
 * allowed, no allocation given. The file/log behaviours must run on the allocation of the job the
 * run submits, and no job may be left afterwards; also when the run is interrupted with SIGINT.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { http } from "msw";
import { afterAll, describe, expect, it } from "vitest";
import { createWorld, type RunningFixtureServer, startFixtureServer } from "../../src/fixtures/index.ts";
import { jobsOf } from "../../src/fixtures/world/jobs.ts";
import { MGMT } from "./fixtures-support.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin/nomad-conformance.js");
const dir = mkdtempSync(join(tmpdir(), "nc-seed-"));
const servers: RunningFixtureServer[] = [];
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.pid) process.kill(c.pid, "SIGKILL");
  await Promise.all(servers.map((s) => s.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serve(options: Parameters<typeof startFixtureServer>[0]) {
  const s = await startFixtureServer(options);
  servers.push(s);
  return s;
}

/** Starts the CLI against `url`; resolves with its exit code and output. */
function runCli(url: string, out: string) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NOMAD_|VITEST)/.test(k)));
  const env = {
    ...clean,
    NOMAD_CONFORMANCE_TARGET: url,
    NOMAD_TOKEN: MGMT,
    NOMAD_CONFORMANCE_ALLOW_WRITES: "1",
    NOMAD_CONFORMANCE_RUN_ID: "nc-seedcli",
  };
  const child = spawn(process.execPath, [BIN, "run", "--filter", "client-fs/", "--out", out], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  children.push(child);
  child.stdout?.on("data", (c: Buffer) => {
    text += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    text += c.toString();
  });
  const exit = new Promise<{ code: number | null; text: string }>((resolve) => {
    const timer = setTimeout(() => child.pid && process.kill(child.pid, "SIGKILL"), 90_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      // Let the pipes drain.
      setTimeout(() => resolve({ code, text }), 50);
    });
  });
  return { child, exit };
}

const submitted = (s: RunningFixtureServer) =>
  [...jobsOf(s.world).evals.values()].filter((e) => e.TriggeredBy === "job-register").map((e) => e.JobID);

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the seed job through the CLI", () => {
  it("runs the file/log behaviours on the submitted job's allocation and removes the job", async () => {
    const srv = await serve({ world: createWorld({ acl: true, bootstrapToken: MGMT }) });
    const out = join(dir, "full");
    const { exit } = runCli(srv.url, out);
    const r = await exit;
    expect(r.code, r.text).toBe(0);
    expect(r.text).toMatch(/seed job nomad-conformance-nc-seedcli running allocation [0-9a-f-]{36}/);
    expect(r.text).toMatch(/seed job nomad-conformance-nc-seedcli removed/);
    expect(r.text).not.toContain(MGMT);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
      behaviours: { id: string; status: string; requires: string[]; file: string }[];
    };
    const fsBehaviours = results.behaviours.filter((b) => b.file === "04-client-fs.test.ts");
    const onAlloc = fsBehaviours.filter((b) => b.requires.includes("alloc"));
    expect(onAlloc.length).toBeGreaterThanOrEqual(10);
    expect(Object.fromEntries(fsBehaviours.map((b) => [b.id, b.status]))).toEqual(
      Object.fromEntries(fsBehaviours.map((b) => [b.id, "pass"])),
    );
    expect(submitted(srv)).toEqual(["nomad-conformance-nc-seedcli"]);
    expect(jobsOf(srv.world).jobs.size).toBe(0);
    expect([...srv.world.allocs.values()].filter((a) => a.JobID.startsWith("nomad-conformance-"))).toEqual(
      [],
    );
  }, 120_000);

  it("removes the job when the run is interrupted with SIGINT while behaviours run", async () => {
    let listed = 0;
    // Slow down fs/ls so that the interrupt lands while the behaviours are running.
    const slow = http.get(/\/v1\/client\/fs\/ls\//, async () => {
      listed++;
      await new Promise((r) => setTimeout(r, 2_000));
      return undefined;
    });
    const s = await serve({ world: createWorld({ acl: true, bootstrapToken: MGMT }), extraHandlers: [slow] });
    const { child: c, exit } = runCli(s.url, join(dir, "interrupted"));
    await until("the seed job", () => jobsOf(s.world).jobs.size === 1);
    await until("a file behaviour", () => listed > 0);
    expect(jobsOf(s.world).jobs.size).toBe(1);
    if (c.pid) process.kill(c.pid, "SIGINT");
    const r = await exit;
    expect(r.text).toMatch(/interrupted by SIGINT/);
    expect(r.code, r.text).toBe(1);
    expect(submitted(s)).toEqual(["nomad-conformance-nc-seedcli"]);
    expect(jobsOf(s.world).jobs.size).toBe(0);
  }, 120_000);
});
