/**
 * `ensureSeedAllocation` against the fixture agent on a real socket: the job it submits, the
 * allocation it returns, cleanup, and every way it gives up (driver missing, token refused, the
 * allocation never running, a cancelled run) — each leaving no job behind.
 */
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { ensureSeedAllocation, type SeedInputs, seedOutput } from "../../src/conformance/seed-job.ts";
import { createWorld, type RunningFixtureServer, startFixtureServer } from "../../src/fixtures/index.ts";
import { jobsOf } from "../../src/fixtures/world/jobs.ts";
import { FAST, MGMT } from "./fixtures-support.ts";

let srv: RunningFixtureServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

async function start(extra: Parameters<typeof startFixtureServer>[0] = {}) {
  srv = await startFixtureServer({
    world: createWorld({ ...FAST, acl: true, bootstrapToken: MGMT }),
    ...extra,
  });
  return srv;
}
const inputs = (s: RunningFixtureServer, over: Partial<SeedInputs> = {}): SeedInputs => ({
  kind: "live",
  address: s.url,
  token: MGMT,
  timeoutMs: 5_000,
  allowWrites: true,
  runId: "nc-test",
  seed: {},
  waitMs: 3_000,
  pollMs: 20,
  env: {},
  ...over,
});
const registered = (s: RunningFixtureServer) =>
  [...jobsOf(s.world).evals.values()].filter((e) => e.TriggeredBy === "job-register").map((e) => e.JobID);
const cat = async (s: RunningFixtureServer, alloc: string, path: string) => {
  const r = await fetch(`${s.url}/v1/client/fs/cat/${alloc}?path=${encodeURIComponent(path)}`, {
    headers: { "X-Nomad-Token": MGMT },
  });
  return r.text();
};

describe("ensureSeedAllocation", () => {
  it("submits one job on the local node, returns its running allocation, and cleanup purges it", async () => {
    const s = await start();
    const seed = await ensureSeedAllocation(inputs(s));
    expect(seed.reason).toBeUndefined();
    expect({ jobId: seed.jobId, task: seed.task }).toEqual({
      jobId: "nomad-conformance-nc-test",
      task: "seed",
    });
    const out = seedOutput("nc-test");
    expect(await cat(s, seed.allocId ?? "", "alloc/logs/seed.stdout.0")).toBe(out.stdout);
    expect(await cat(s, seed.allocId ?? "", "alloc/logs/seed.stderr.0")).toBe(out.stderr);
    expect(await cat(s, seed.allocId ?? "", `seed/${out.file.path}`)).toBe(out.file.content);
    const job = jobsOf(s.world).jobs.values().next().value?.job;
    expect(job).toMatchObject({
      Type: "batch",
      Datacenters: ["dc1"],
      NodePool: "default",
      Constraints: [{ RTarget: s.world.seed.nodeId, Operand: "=" }],
    });
    await seed.cleanup();
    await seed.cleanup(); // once only: a second call neither fails nor sends another request
    expect(jobsOf(s.world).jobs.size).toBe(0);
    expect(s.world.allocs.has(seed.allocId ?? "")).toBe(false);
    expect(registered(s)).toEqual(["nomad-conformance-nc-test"]);
  });

  it.each([
    ["a given allocation", { seed: { allocId: "a", task: "t" } }, { allocId: "a", task: "t" }],
    ["the fixtures target", { kind: "fixtures" as const }, {}],
    ["writes not allowed", { allowWrites: false }, {}],
  ])("submits nothing for %s", async (_, over, want) => {
    const s = await start();
    const seed = await ensureSeedAllocation(inputs(s, over));
    expect({ allocId: seed.allocId, task: seed.task, reason: seed.reason }).toEqual({
      allocId: undefined,
      task: undefined,
      reason: undefined,
      ...want,
    });
    expect(registered(s)).toEqual([]);
  });

  it("submits nothing when the agent runs no client", async () => {
    srv = await startFixtureServer({ world: createWorld({ ...FAST, client: false }) });
    const seed = await ensureSeedAllocation(inputs(srv, { token: undefined }));
    expect(seed.allocId).toBeUndefined();
    expect(registered(srv)).toEqual([]);
  });

  it("gives a clear reason and removes the job when the driver is missing", async () => {
    const s = await start();
    const seed = await ensureSeedAllocation(inputs(s, { driver: "nosuch" }));
    expect(seed.allocId).toBeUndefined();
    expect(seed.reason).toBe(
      `the seed job could not be placed on node ${s.world.seed.nodeId}: driver "nosuch" is not available on the node (set NOMAD_CONFORMANCE_JOB_DRIVER)`,
    );
    expect(registered(s)).toEqual(["nomad-conformance-nc-test"]);
    expect(jobsOf(s.world).jobs.size).toBe(0);
  });

  it("explains a refused registration (token without submit-job)", async () => {
    const s = await start();
    const acl = (path: string, body: unknown) =>
      fetch(`${s.url}${path}`, {
        method: "PUT",
        headers: { "X-Nomad-Token": MGMT },
        body: JSON.stringify(body),
      });
    const rules = 'agent { policy = "read" }\nnamespace "default" { policy = "read" }';
    expect((await acl("/v1/acl/policy/ro", { Name: "ro", Rules: rules })).status).toBe(200);
    const token = (await (await acl("/v1/acl/token", { Type: "client", Policies: ["ro"] })).json()) as {
      SecretID: string;
    };
    const anonymous = await ensureSeedAllocation(inputs(s, { token: undefined }));
    expect(anonymous.reason).toBe("no seed job: GET /v1/agent/self failed (403 Permission denied)");
    const seed = await ensureSeedAllocation(inputs(s, { token: token.SecretID }));
    expect(seed.reason).toBe(
      "could not register the seed job nomad-conformance-nc-test: 403 Permission denied (the token needs submit-job in the namespace)",
    );
    expect(registered(s)).toEqual([]);
  });

  it("gives up after waitMs when no allocation runs, and removes the job", async () => {
    const never = http.get(/\/v1\/job\/[^/]+\/allocations$/, () => HttpResponse.json([]));
    const s = await start({ extraHandlers: [never] });
    const started = Date.now();
    const seed = await ensureSeedAllocation(inputs(s, { waitMs: 300 }));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(seed.reason).toBe("the seed job did not start within 300 ms (no allocation yet)");
    expect(jobsOf(s.world).jobs.size).toBe(0);
  });

  it("stops waiting when the run is cancelled, and removes the job", async () => {
    const never = http.get(/\/v1\/job\/[^/]+\/allocations$/, () => HttpResponse.json([]));
    const s = await start({ extraHandlers: [never] });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const started = Date.now();
    const seed = await ensureSeedAllocation(inputs(s, { waitMs: 30_000, pollMs: 50, signal: abort.signal }));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(seed.reason).toBe("the run was cancelled while the seed job was starting");
    expect(registered(s)).toEqual(["nomad-conformance-nc-test"]);
    expect(jobsOf(s.world).jobs.size).toBe(0);
  });

  it("reports a cleanup that fails with the command to remove the job by hand", async () => {
    const refuse = http.delete(/\/v1\/job\//, () => new HttpResponse("boom", { status: 500 }));
    const s = await start({ extraHandlers: [refuse] });
    const seed = await ensureSeedAllocation(inputs(s));
    await expect(seed.cleanup()).rejects.toThrow(
      "could not remove the seed job nomad-conformance-nc-test (500 boom); remove it with: nomad job stop -purge nomad-conformance-nc-test",
    );
    expect(jobsOf(s.world).jobs.size).toBe(1);
  });
});
