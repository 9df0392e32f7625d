/**
 * Write safety against a live target (issue 6): the CLI runs the whole suite through a recording
 * proxy in front of the fixture agent (ACLs on, a management token, a running allocation).
 * Without --allow-writes no request that can change state is sent — the ACL matrix's token minting
 * included; with it, every piece of state the suite touches reads back identical afterwards.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  changesState,
  cliEnv,
  type SafetyTarget,
  snapshot,
  startCli,
  startSafetyTarget,
} from "./safety-support.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-safety-writes-"));
const targets: SafetyTarget[] = [];

async function runAgainstFixture(name: string, extraArgs: string[]) {
  const t = await startSafetyTarget();
  targets.push(t);
  const before = snapshot(t.world);
  const out = join(dir, name);
  const run = await startCli(["run", "--target", t.proxy.url, "--out", out, ...extraArgs], cliEnv(t)).done;
  const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  return { t, before, after: snapshot(t.world), run, results };
}

/** State that --allow-writes legitimately changes for good: GC removes terminal allocations from the client. */
const IRREVERSIBLE = ["allocs"];

describe.concurrent("write safety (CLI against the fixture agent over HTTP)", { timeout: 58_000 }, () => {
  afterAll(async () => {
    await Promise.all(targets.map((t) => t.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends no state-changing request without --allow-writes, and the state is untouched", async () => {
    const { t, before, after, run, results } = await runAgainstFixture("read-only", []);
    expect(run.code, run.stdout.toString() + run.stderr.toString()).toBe(0);
    expect(results.config.allowWrites).toBe(false);
    expect(t.proxy.requests.length).toBeGreaterThan(100);
    expect(t.proxy.counts(changesState)).toEqual({});
    // The wrong-method probes are the only non-GET requests, and each was refused.
    const others = t.proxy.requests.filter((r) => r.method !== "GET");
    expect(others.length).toBeGreaterThan(0);
    for (const r of others) expect(`${r.method} ${r.path} ${r.status}`).toMatch(/^PATCH \S+ 405$/);
    expect(after).toEqual(before);
    const skipped = results.behaviours.filter((b: { status: string }) => b.status === "skip");
    expect(skipped.some((b: { id: string }) => b.id.endsWith("/acl-capability"))).toBe(true);
  });

  it("with --allow-writes, restores every piece of state it changed", async () => {
    const { t, before, after, run } = await runAgainstFixture("writes", ["--allow-writes"]);
    expect(run.code, run.stdout.toString() + run.stderr.toString()).toBe(0);
    const writes = Object.keys(t.proxy.counts(changesState)).map((k) =>
      k.replace(/\/nc-[\w-]+$|\/[0-9a-f-]{36}(?=\/|$)/, "/*"),
    );
    // The run really exercised every family of writes it claims to restore.
    for (const route of [
      "PUT /v1/agent/servers",
      "POST /v1/client/metadata",
      "PUT /v1/agent/schedulers/config",
      "PUT /v1/acl/policy/*",
      "POST /v1/acl/token",
      "DELETE /v1/acl/token/*",
      "DELETE /v1/acl/policy/*",
      "PUT /v1/agent/join",
      "PUT /v1/agent/force-leave",
      "DELETE /v1/operator/raft/peer",
    ])
      expect(writes, route).toContain(route);
    for (const key of Object.keys(before).filter((k) => !IRREVERSIBLE.includes(k)))
      expect(after[key], key).toEqual(before[key]);
    // GC only ever collected terminal allocations; the running one is still on the client.
    const allocs = (s: Record<string, unknown>) =>
      s.allocs as { ID: string; ClientStatus: string; onClient: boolean }[];
    for (const [i, a] of allocs(after).entries()) {
      const was = allocs(before)[i];
      if (a.onClient !== was?.onClient) expect(["complete", "failed"], a.ID).toContain(a.ClientStatus);
    }
    expect(allocs(after).find((a) => a.ID === t.world.seed.allocId)?.onClient).toBe(true);
  });
});
