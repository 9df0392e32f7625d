/**
 * The seed allocation of a run against a real agent: the one given by the user
 * (`NOMAD_CONFORMANCE_ALLOC_ID`/`…_TASK`), or — with writes allowed and a client on the agent — a
 * tiny batch job `nomad-conformance-<runId>` pinned to the agent's own node that writes known
 * stdout, stderr and a file, then sleeps so the allocation stays running for the stream behaviours.
 * Batch rather than service: if a hard kill ever leaves it behind, it ends by itself after the sleep
 * and is never restarted. The caller removes it with `cleanup()` (deregister with purge).
 * @see command/agent/job_endpoint.go, https://developer.hashicorp.com/nomad/api-docs/jobs
 */
import { createNomadClient, type NomadClient } from "../client/index.ts";

/** What the seed needs to know about the run (a subset of the target settings). */
export interface SeedInputs {
  kind: "fixtures" | "live";
  address: string;
  token: string | undefined;
  timeoutMs: number;
  allowWrites: boolean;
  runId: string;
  /** The allocation given by the user, if any. */
  seed: { allocId?: string; task?: string };
  /** Task driver (NOMAD_CONFORMANCE_JOB_DRIVER, default raw_exec); it must take `command`/`args`. */
  driver?: string;
  /** How long to wait for the allocation to run and write its output (default 60 s). */
  waitMs?: number;
  pollMs?: number;
  /** Seconds the task sleeps after writing (default 3600): its lifetime if cleanup never runs. */
  sleepSeconds?: number;
  /** Aborting stops the wait; a submitted job is removed before returning. */
  signal?: AbortSignal;
  /** Environment for the client's TLS settings (default process.env; NOMAD_TOKEN is ignored). */
  env?: Record<string, string | undefined>;
}

/** The outcome: an allocation to use, or why the file/log behaviours cannot run. */
export interface SeedResult {
  allocId?: string;
  task?: string;
  /** Why no allocation is available (undefined when one is, or when nothing was attempted). */
  reason?: string;
  /** The job the suite submitted (only while it exists). */
  jobId?: string;
  /** Removes the submitted job (purge); safe to call more than once, and when nothing was submitted. */
  cleanup: () => Promise<void>;
}

/** The task's known output. */
export const SEED_TASK = "seed";
export const seedOutput = (runId: string) => ({
  stdout: `nomad-conformance ${runId} stdout\n`,
  stderr: `nomad-conformance ${runId} stderr\n`,
  file: { path: "local/seed.txt", content: `nomad-conformance ${runId} file\n` },
});

const nothing = async () => {};
/** The node attribute `${node.unique.id}` (spelled so that it is not read as a template). */
const NODE_ID_ATTR = "$" + "{node.unique.id}";
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The job as `api.Job` JSON. */
export function seedJob(o: {
  runId: string;
  nodeId: string;
  datacenter: string;
  nodePool: string;
  driver: string;
  sleepSeconds: number;
}): Record<string, unknown> {
  const out = seedOutput(o.runId);
  const script = [
    `echo ${sq(out.stdout.trimEnd())}`,
    `echo ${sq(out.stderr.trimEnd())} >&2`,
    `echo ${sq(out.file.content.trimEnd())} > ${out.file.path}`,
    `exec sleep ${o.sleepSeconds}`,
  ].join("; ");
  const id = `nomad-conformance-${o.runId}`;
  return {
    ID: id,
    Name: id,
    Type: "batch",
    Datacenters: [o.datacenter],
    NodePool: o.nodePool,
    Meta: { "nomad-conformance": "seed job of a conformance run; safe to purge" },
    Constraints: [{ LTarget: NODE_ID_ATTR, RTarget: o.nodeId, Operand: "=" }],
    TaskGroups: [
      {
        Name: SEED_TASK,
        Count: 1,
        RestartPolicy: { Attempts: 0, Mode: "fail" },
        ReschedulePolicy: { Attempts: 0, Unlimited: false },
        Tasks: [
          {
            Name: SEED_TASK,
            Driver: o.driver,
            Config: { command: "/bin/sh", args: ["-c", script] },
            Resources: { CPU: 20, MemoryMB: 16 },
            KillTimeout: 1_000_000_000,
          },
        ],
      },
    ],
  };
}

interface Answer {
  status: number;
  text: string;
  json: unknown;
}

/** One request outside the spec's paths; the answer's text and parsed JSON. */
async function api(
  client: NomadClient,
  method: string,
  path: string,
  init: { body?: unknown; query?: Record<string, string> } = {},
): Promise<Answer> {
  const options = {
    parseAs: "text",
    params: { query: init.query ?? {} },
    ...(init.body ? { body: init.body } : {}),
  };
  // biome-ignore lint/suspicious/noExplicitAny: job routes are outside the spec (the client is untyped here)
  const r = await (client as any).request(method, path, options);
  const raw = r.data ?? r.error;
  const text = typeof raw === "string" ? raw : raw === undefined ? "" : JSON.stringify(raw);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.response.status, text, json };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

type Stub = {
  ID: string;
  ClientStatus: string;
  TaskStates?: Record<string, { Events?: { DisplayMessage?: string; DriverError?: string }[] }>;
};

/** A readable reason from an evaluation's FailedTGAllocs. */
function placementFailure(ev: unknown, driver: string, nodeId: string): string | undefined {
  const failed = (ev as { FailedTGAllocs?: Record<string, Record<string, unknown>> })?.FailedTGAllocs;
  const metric = failed ? Object.values(failed)[0] : undefined;
  if (!metric) return undefined;
  const filtered = Object.keys((metric.ConstraintFiltered as Record<string, number> | null) ?? {});
  const why = filtered.map((f) =>
    f === "missing drivers"
      ? `driver "${driver}" is not available on the node (set NOMAD_CONFORMANCE_JOB_DRIVER)`
      : `constraint ${f} filtered the node`,
  );
  if (metric.NodesEvaluated === 0) why.push("no node in the job's datacenter and node pool");
  return `the seed job could not be placed on node ${nodeId}: ${why.join("; ") || "resources exhausted"}`;
}

/** Returns the seed allocation: the user's, a freshly submitted one, or the reason there is none. */
export async function ensureSeedAllocation(input: SeedInputs): Promise<SeedResult> {
  if (input.seed.allocId) return { allocId: input.seed.allocId, task: input.seed.task, cleanup: nothing };
  if (input.kind === "fixtures" || !input.allowWrites) return { cleanup: nothing };
  const client = createNomadClient({
    address: input.address,
    token: input.token,
    timeoutMs: input.timeoutMs,
    env: { ...(input.env ?? process.env), NOMAD_TOKEN: undefined },
  });
  const self = await api(client, "get", "/v1/agent/self").catch((e: Error) => e);
  if (self instanceof Error || self.status !== 200) {
    const what = self instanceof Error ? self.message : `${self.status} ${self.text.trim()}`;
    return { reason: `no seed job: GET /v1/agent/self failed (${what})`, cleanup: nothing };
  }
  const s = self.json as {
    config?: { Datacenter?: string; Client?: { Enabled?: boolean; NodePool?: string } };
    stats?: { client?: { node_id?: string } };
  };
  if (!s.config?.Client?.Enabled) return { cleanup: nothing };
  const nodeId = s.stats?.client?.node_id;
  if (!nodeId) return { reason: "no seed job: the agent reports no client node_id", cleanup: nothing };
  const driver = input.driver || "raw_exec";
  const job = seedJob({
    runId: input.runId,
    nodeId,
    datacenter: s.config.Datacenter || "*",
    nodePool: s.config.Client.NodePool || "default",
    driver,
    sleepSeconds: input.sleepSeconds ?? 3600,
  });
  const jobId = job.ID as string;
  const reg = await api(client, "put", "/v1/jobs", { body: { Job: job } }).catch((e: Error) => e);
  if (reg instanceof Error)
    return { reason: `could not register the seed job ${jobId}: ${reg.message}`, cleanup: nothing };
  if (reg.status !== 200) {
    const hint = reg.status === 403 ? " (the token needs submit-job in the namespace)" : "";
    return {
      reason: `could not register the seed job ${jobId}: ${reg.status} ${reg.text.trim()}${hint}`,
      cleanup: nothing,
    };
  }
  let removed: Promise<void> | undefined;
  const cleanup = () => {
    removed ??= api(client, "delete", `/v1/job/${encodeURIComponent(jobId)}`, { query: { purge: "true" } })
      .then((r) => {
        if (r.status !== 200) throw new Error(`${r.status} ${r.text.trim()}`);
      })
      .catch((e: Error) => {
        throw new Error(
          `could not remove the seed job ${jobId} (${e.message}); remove it with: nomad job stop -purge ${jobId}`,
        );
      });
    return removed;
  };
  const fail = async (reason: string): Promise<SeedResult> => {
    await cleanup().catch(() => {});
    return { reason, cleanup: nothing };
  };
  try {
    return await waitForSeed(client, input, { jobId, driver, nodeId, cleanup, fail }, reg.json);
  } catch (e) {
    return fail(`the seed job ${jobId} could not be watched: ${(e as Error).message}`);
  }
}

/** Polls the registration's evaluation and the job's allocations until the task has written. */
async function waitForSeed(
  client: NomadClient,
  input: SeedInputs,
  job: {
    jobId: string;
    driver: string;
    nodeId: string;
    cleanup: () => Promise<void>;
    fail: (reason: string) => Promise<SeedResult>;
  },
  registered: unknown,
): Promise<SeedResult> {
  const { jobId, driver, nodeId, cleanup, fail } = job;
  const evalId = (registered as { EvalID?: string })?.EvalID;
  const out = seedOutput(input.runId);
  const deadline = Date.now() + (input.waitMs ?? 60_000);
  let last = "no allocation yet";
  while (Date.now() < deadline) {
    if (input.signal?.aborted) return fail("the run was cancelled while the seed job was starting");
    if (evalId) {
      const ev = await api(client, "get", `/v1/evaluation/${evalId}`);
      const why = ev.status === 200 ? placementFailure(ev.json, driver, nodeId) : undefined;
      if (why) return fail(why);
    }
    const allocs = await api(client, "get", `/v1/job/${encodeURIComponent(jobId)}/allocations`);
    const stub = Array.isArray(allocs.json) ? (allocs.json as Stub[])[0] : undefined;
    if (stub) last = `allocation ${stub.ID} is ${stub.ClientStatus}`;
    if (stub && ["failed", "lost", "complete"].includes(stub.ClientStatus)) {
      const events = stub.TaskStates?.[SEED_TASK]?.Events ?? [];
      const msg = events.map((e) => e.DriverError || e.DisplayMessage).filter(Boolean);
      return fail(`the seed job's ${last}: ${msg.at(-1) ?? "no task event"}`);
    }
    if (stub?.ClientStatus === "running") {
      const stat = await api(client, "get", `/v1/client/fs/stat/${stub.ID}`, {
        query: { path: `alloc/logs/${SEED_TASK}.stdout.0` },
      });
      const size = (stat.json as { Size?: number } | undefined)?.Size ?? 0;
      if (size >= Buffer.byteLength(out.stdout)) return { allocId: stub.ID, task: SEED_TASK, jobId, cleanup };
      last = `allocation ${stub.ID} is running but its stdout holds ${size} bytes`;
    }
    await sleep(input.pollMs ?? 250, input.signal);
  }
  return fail(`the seed job did not start within ${input.waitMs ?? 60_000} ms (${last})`);
}

/** What the conformance project's global setup hands to every test file (`provide`/`inject`). */
export interface ProvidedSeed {
  allocId?: string;
  task?: string;
  reason?: string;
  jobId?: string;
}

declare module "vitest" {
  interface ProvidedContext {
    nomadConformanceSeed: ProvidedSeed;
  }
}
