import { describe, expect, it } from "vitest";
import { listOperations, loadBundledSpec } from "../../src/spec/load.ts";

/** The 30 operations of the seed pages (Agent 000/001, Client 002, Operator 003): methods + path. */
const seedOperations: [string, string][] = [
  ["GET", "/v1/agent/members"],
  ["GET", "/v1/agent/servers"],
  ["POST PUT", "/v1/agent/servers"],
  ["GET", "/v1/agent/self"],
  ["POST PUT", "/v1/agent/join"],
  ["POST PUT", "/v1/agent/force-leave"],
  ["GET", "/v1/agent/health"],
  ["GET", "/v1/agent/host"],
  ["GET", "/v1/agent/monitor"],
  ["GET", "/v1/agent/pprof/cmdline"],
  ["GET", "/v1/agent/pprof/profile"],
  ["GET", "/v1/agent/pprof/trace"],
  ["GET", "/v1/agent/pprof/{profile}"],
  ["GET", "/v1/agent/schedulers"],
  ["GET", "/v1/agent/schedulers/config"],
  ["POST PUT", "/v1/agent/schedulers/config"],
  ["GET", "/v1/client/metadata"],
  ["POST", "/v1/client/metadata"],
  ["GET", "/v1/client/stats"],
  ["GET", "/v1/client/allocation/{alloc_id}/stats"],
  ["GET", "/v1/client/fs/cat/{alloc_id}"],
  ["GET", "/v1/client/fs/readat/{alloc_id}"],
  ["GET", "/v1/client/fs/stream/{alloc_id}"],
  ["GET", "/v1/client/fs/logs/{alloc_id}"],
  ["GET", "/v1/client/fs/ls/{alloc_id}"],
  ["GET", "/v1/client/fs/stat/{alloc_id}"],
  ["GET", "/v1/client/allocation/{alloc_id}/gc"],
  ["GET", "/v1/client/gc"],
  ["GET", "/v1/operator/raft/configuration"],
  ["DELETE", "/v1/operator/raft/peer"],
];

describe("the spec's operations", () => {
  const ops = listOperations(loadBundledSpec());

  it("are exactly the 30 seed operations, twins (PUT+POST) counted once", () => {
    const groups = new Map<string, { path: Set<string>; methods: string[] }>();
    for (const op of ops) {
      const g = groups.get(op["x-nomad-operation"]) ?? { path: new Set(), methods: [] };
      g.path.add(op.path);
      g.methods.push(op.method.toUpperCase());
      groups.set(op["x-nomad-operation"], g);
    }
    for (const [name, g] of groups) expect(g.path.size, `${name} spans one path`).toBe(1);
    const actual = [...groups.values()].map((g) => `${g.methods.sort().join(" ")} ${[...g.path][0]}`).sort();
    const expected = seedOperations.map(([m, p]) => `${m} ${p}`).sort();
    expect(actual).toEqual(expected);
    expect(actual).toHaveLength(30);
  });

  it("name each twin after the logical operation: one member keeps the plain operationId", () => {
    const byName = new Map<string, typeof ops>();
    for (const op of ops)
      byName.set(op["x-nomad-operation"], [...(byName.get(op["x-nomad-operation"]) ?? []), op]);
    for (const [name, members] of byName) {
      expect(
        members.map((m) => m.operationId),
        name,
      ).toContain(name);
      for (const m of members) expect(m.operationId).toMatch(new RegExp(`^${name}(Post|Put)?$`));
    }
  });
});
