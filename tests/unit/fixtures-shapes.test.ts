/**
 * Every fixture-agent success response validates against the bundled spec: the status is one the
 * operation documents, the content type is declared, and JSON bodies (or each stream frame) match
 * the schema.
 */
import { describe, expect, it } from "vitest";
import { deref, listOperations, loadBundledSpec, type SpecNode } from "../../src/spec/load.ts";
import { createSpecValidator, pointerToken } from "../../src/spec/validator.ts";
import { fixtureAgent, readUntil, splitFrames } from "./fixtures-support.ts";

const agent = fixtureAgent();
const doc = loadBundledSpec();
const validator = createSpecValidator(doc);

/** How to call each operation so that it succeeds on a fresh world. */
const CALLS: Record<string, { query?: string; body?: string; alloc?: "terminal" }> = {
  agentSetServers: { query: "address=127.0.0.1:4647" },
  agentSetServersPost: { query: "address=127.0.0.1:4647" },
  agentJoin: { query: "address=127.0.0.1" },
  agentJoinPost: { query: "address=127.0.0.1" },
  agentForceLeave: { query: "node=foo" },
  agentForceLeavePost: { query: "node=foo" },
  agentMonitor: { query: "log_level=debug" },
  agentCpuProfile: { query: "seconds=1" },
  agentTrace: { query: "seconds=1" },
  agentSetSchedulerWorkerConfig: { body: '{"num_schedulers":2,"enabled_schedulers":["_core","service"]}' },
  agentSetSchedulerWorkerConfigPost: { body: '{"num_schedulers":1,"enabled_schedulers":["_core","batch"]}' },
  nodeMetaApply: { body: '{"Meta":{"shape":"ok","static_key":null}}' },
  allocGC: { alloc: "terminal" },
  allocFsStat: { query: "path=t/local/known.txt" },
  allocFsCat: { query: "path=t/local/known.txt" },
  allocFsReadAt: { query: "path=t/local/known.txt&offset=0" },
  allocFsStream: { query: "path=alloc/logs/t.stdout.0&follow=false" },
  allocFsLogs: { query: "task=t&type=stdout" },
};

const ops = listOperations(doc);

/** The pointer of a documented response, following a `$ref` to a shared response component. */
function responsePointer(op: (typeof ops)[number], status: string): string {
  const raw = (op.raw.responses as Record<string, SpecNode>)[status];
  return typeof raw?.$ref === "string"
    ? raw.$ref
    : `#/paths/${pointerToken(op.path)}/${op.method}/responses/${status}`;
}

describe("fixture responses match the spec", () => {
  it("covers all 30 operations of the seed pages", () => {
    expect(new Set(ops.map((o) => o["x-nomad-operation"])).size).toBe(30);
  });

  it.each(ops.map((o) => [o.operationId, o] as const))("%s", async (id, op) => {
    const a = agent({ raftPeers: id === "operatorRaftRemovePeerByID" ? 3 : 1 });
    const call = CALLS[id] ?? {};
    const allocId = call.alloc === "terminal" ? a.world.seed.terminalAllocId : a.world.seed.allocId;
    let path = op.path.replace("{alloc_id}", allocId).replace("{profile}", "goroutine");
    let query = call.query ?? "";
    if (id === "operatorRaftRemovePeerByID") query = `id=${a.world.raft.servers[2]?.ID}`;
    if (query) path += `?${query}`;
    const ac = new AbortController();
    const res = await a.call(path, { method: op.method.toUpperCase(), body: call.body, signal: ac.signal });
    const status = String(res.status);
    expect(Object.keys(op.raw.responses as object)).toContain(status);
    const ptr = responsePointer(op, status);
    const response = deref<SpecNode>(doc, { $ref: ptr });
    const content = (response.content ?? {}) as Record<string, unknown>;
    const type = res.headers.get("content-type");
    if (type === null) {
      expect(await res.text()).toBe("");
      expect(Object.keys(content)).toEqual([]);
      return;
    }
    expect(Object.keys(content)).toContain(type);
    const schema = `${ptr}/content/${pointerToken(type)}/schema`;
    const framing = (op["x-nomad-stream"] as { framing?: string } | undefined)?.framing;
    if (framing === "concatenated-json" && type !== "text/plain") {
      if (id === "agentMonitor") setTimeout(() => a.world.logs.append({ message: "shape" }), 5);
      const frames = splitFrames(await readUntil(res, (t) => t.includes('"Data"'), ac));
      expect(frames.length).toBeGreaterThan(0);
      for (const f of frames) expect(validator.validate("#/components/schemas/StreamFrame", f)).toEqual([]);
    } else if (type === "application/json") {
      expect(validator.validate(schema, await res.json())).toEqual([]);
    } else {
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
  });
});

describe("fixture variants match the spec", () => {
  it.each([
    ["client-only self", { server: false }, "/v1/agent/self", "/v1/agent/self"],
    ["targeted host", {}, "/v1/agent/host?node_id={node}", "/v1/agent/host"],
    [
      "unknown task stats",
      {},
      "/v1/client/allocation/{alloc}/stats?task=zz",
      "/v1/client/allocation/{alloc_id}/stats",
    ],
    [
      "three raft peers",
      { raftPeers: 3 },
      "/v1/operator/raft/configuration",
      "/v1/operator/raft/configuration",
    ],
  ])("%s", async (_name, opts, url, specPath) => {
    const a = agent(opts);
    const res = await a.call(
      url.replace("{node}", a.world.seed.nodeId).replace("{alloc}", a.world.seed.allocId),
    );
    expect(res.status).toBe(200);
    const ptr = `#/paths/${pointerToken(specPath)}/get/responses/200/content/application~1json/schema`;
    expect(validator.validate(ptr, await res.json())).toEqual([]);
  });
});
