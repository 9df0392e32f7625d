/**
 * Restoration when a run is interrupted (issue 6): a broken agent makes a state-changing check fail
 * half-way, and a SIGINT cancels a run in the middle; in both the state the suite touched reads
 * back identical, and the reports are written.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type CliProcess,
  changesState,
  cliEnv,
  type SafetyTarget,
  snapshot,
  startCli,
  startSafetyTarget,
} from "./safety-support.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-safety-restore-"));
const targets: SafetyTarget[] = [];
const REPORTS = ["drift.json", "junit.xml", "report.html", "results.json", "summary.md"];

const statusOf = (results: { behaviours: { id: string; status: string }[] }, id: string) =>
  results.behaviours.find((b) => b.id === id)?.status;

describe.concurrent("restoration after a failing check", { timeout: 58_000 }, () => {
  afterAll(async () => {
    await Promise.all(targets.map((t) => t.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    // The check stores a negative worker count, then fails; its finally must put the old config back.
    ["schedulers-no-validation", "agent/schedulers-config/", "agent/schedulers-config/invalid-rejected"],
    // The agent keeps an unreachable address; the check fails after the change.
    ["servers-keep-unreachable", "agent/servers/", "agent/servers/unreachable-dropped"],
    // The agent wipes the dynamic metadata on each POST; the check fails mid-way.
    ["metadata-replaces", "client/metadata/", "client/metadata/post-merges"],
  ])("%s: the failing %s check leaves the state as it found it", async (mutant, filter, failing) => {
    const t = await startSafetyTarget({ mutant });
    targets.push(t);
    const before = snapshot(t.world);
    const out = join(dir, mutant);
    const run = await startCli(
      ["run", "--target", t.proxy.url, "--out", out, "--allow-writes", "--filter", filter],
      cliEnv(t),
    ).done;
    expect(run.code, run.stdout.toString()).toBe(1);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(statusOf(results, failing)).toBe("fail");
    expect(Object.keys(t.proxy.counts(changesState)).length).toBeGreaterThan(0);
    expect(snapshot(t.world)).toEqual(before);
  });

  it("SIGINT in the middle of a run: exit 1, reports written, nothing left changed", async () => {
    let cli: CliProcess | undefined;
    let fired = false;
    // Interrupt while a read-only behaviour waits for its answer, once writes have happened.
    const t = await startSafetyTarget({
      afterUpstream: (r) => {
        if (fired || !r.path.startsWith("/v1/client/fs/cat/") || r.status !== 200) return undefined;
        fired = true;
        cli?.signal("SIGINT");
        return new Promise((resolve) => setTimeout(resolve, 300));
      },
    });
    targets.push(t);
    const before = snapshot(t.world);
    const out = join(dir, "sigint");
    cli = startCli(["run", "--target", t.proxy.url, "--out", out, "--allow-writes"], cliEnv(t));
    const run = await cli.done;
    expect(fired).toBe(true);
    expect(run.code, run.stdout.toString()).toBe(1);
    expect(run.stdout.toString()).toMatch(/interrupted by SIGINT/);
    for (const f of REPORTS) expect(existsSync(join(out, f)), f).toBe(true);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(results.interrupted).toBe(true);
    expect(results.verdict).toBe("not conformant");
    // GC of terminal allocations cannot be undone (see safety-writes); everything else is as before.
    const { allocs: _a, ...rest } = snapshot(t.world);
    const { allocs: _b, ...was } = before;
    expect(rest).toEqual(was);
  });
});
