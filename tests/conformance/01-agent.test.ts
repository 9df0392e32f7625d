/** /v1/agent/{self,members,servers,join,force-leave,health,host,schedulers,pprof}: behaviours a schema cannot see. */
import { describe, expect } from "vitest";
import { behaviour } from "../../src/conformance/behaviour.ts";
import { call, jsonOf } from "../../src/conformance/exchange.ts";

const get = async <T>(path: string, query?: Record<string, string>) =>
  jsonOf(await call("GET", path, { query })) as T;

describe("GET /v1/agent/self", () => {
  behaviour("agent/self/top-level-keys", async () => {
    const res = await call("GET", "/v1/agent/self");
    expect(res.status).toBe(200);
    expect(Object.keys(jsonOf(res) as object).sort()).toEqual(["config", "member", "stats"]);
  });

  behaviour("agent/self/stats-are-strings", async () => {
    const stats = (await get<{ stats: Record<string, Record<string, unknown>> }>("/v1/agent/self")).stats;
    expect(Object.keys(stats).length).toBeGreaterThan(0);
    for (const [group, values] of Object.entries(stats)) {
      for (const [k, v] of Object.entries(values)) expect(typeof v, `stats.${group}.${k}`).toBe("string");
    }
  });

  behaviour("agent/self/version-object", async () => {
    const version = (await get<{ config: { Version: unknown } }>("/v1/agent/self")).config.Version;
    expect(version).toMatchObject({ Version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
  });
});

describe("GET /v1/agent/members", () => {
  behaviour("agent/members/includes-answering-server", async () => {
    const m = await get<{
      ServerName: string;
      ServerRegion: string;
      Members: { Name: string; Status: string }[];
    }>("/v1/agent/members");
    const self = m.Members.find((x) => x.Name === `${m.ServerName}.${m.ServerRegion}`);
    expect(self, `a member named ${m.ServerName}.${m.ServerRegion}`).toBeDefined();
    expect(self?.Status).toBe("alive");
  });
});

describe("GET|PUT|POST /v1/agent/servers", () => {
  const servers = () => get<string[]>("/v1/agent/servers");
  const put = (address?: string[], token?: "anonymous") =>
    call("PUT", "/v1/agent/servers", { query: address ? { address } : {}, token });

  behaviour("agent/servers/host-port-list", async () => {
    const list = await servers();
    expect(list.length).toBeGreaterThan(0);
    for (const s of list) expect(s).toMatch(/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\]):\d+$/);
  });

  behaviour("agent/servers/replace-not-append", async ({ skip }) => {
    const before = await servers();
    const raft =
      (await get<{ Servers?: { Address: string }[] }>("/v1/operator/raft/configuration")).Servers ?? [];
    const candidates = [...new Set([...before, ...raft.map((s) => s.Address)])];
    if (candidates.length < 2) return skip("needs a client that can reach at least two servers");
    const [a, b] = candidates as [string, string];
    try {
      expect((await put([a, b])).status).toBe(200);
      expect((await servers()).sort()).toEqual([a, b].sort());
      expect((await put([b])).status).toBe(200);
      expect(await servers()).toEqual([b]);
    } finally {
      await put(before);
    }
  });

  behaviour("agent/servers/unreachable-dropped", async () => {
    const before = await servers();
    try {
      expect((await put([...before, "127.0.0.1:1"])).status).toBe(200);
      expect((await servers()).sort()).toEqual([...before].sort());
    } finally {
      await put(before);
    }
  });

  behaviour("agent/servers/none-reachable-rejected", async () => {
    const before = await servers();
    try {
      const res = await put(["127.0.0.1:1"]);
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/^1 error occurred:\n\t\* .*127\.0\.0\.1:1/);
      expect(await servers()).toEqual(before);
    } finally {
      if ((await servers()).join() !== before.join()) await put(before);
    }
  });

  behaviour("agent/servers/missing-address-before-acl", async ({ target }) => {
    const res = await put(undefined, target.agent.acl ? "anonymous" : undefined);
    expect({ status: res.status, body: res.text }).toEqual({ status: 400, body: "missing server address" });
  });
});

describe("PUT|POST /v1/agent/join", () => {
  behaviour("agent/join/missing-address", async () => {
    const res = await call("PUT", "/v1/agent/join");
    expect({ status: res.status, body: res.text }).toEqual({ status: 400, body: "missing address to join" });
  });

  behaviour("agent/join/result-keys", async ({ target }) => {
    const m = await get<{ Members: { Name: string; Addr: string; Port: number }[] }>("/v1/agent/members");
    const self = m.Members.find((x) => x.Name === target.agent.serverName);
    expect(self, "the agent's own serf member").toBeDefined();
    const res = await call("PUT", "/v1/agent/join", { query: { address: [`${self?.Addr}:${self?.Port}`] } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ num_joined: 1, error: "" });
    expect(Object.keys(jsonOf(res) as object).sort()).toEqual(["error", "num_joined", "warning"]);
  });
});

describe("PUT|POST /v1/agent/force-leave", () => {
  behaviour("agent/force-leave/missing-node", async () => {
    const res = await call("PUT", "/v1/agent/force-leave");
    expect({ status: res.status, body: res.text }).toEqual({
      status: 400,
      body: "missing node to force leave",
    });
  });

  behaviour("agent/force-leave/invalid-prune", async ({ target }) => {
    const res = await call("PUT", "/v1/agent/force-leave", {
      query: { node: `${target.runId}-x`, prune: "maybe" },
    });
    expect({ status: res.status, body: res.text }).toEqual({ status: 400, body: "invalid prune value" });
  });

  behaviour("agent/force-leave/acl-before-validation", async () => {
    const res = await call("PUT", "/v1/agent/force-leave", { token: "anonymous" });
    expect({ status: res.status, body: res.text }).toEqual({ status: 403, body: "Permission denied" });
  });
});

describe("GET /v1/agent/health", () => {
  behaviour("agent/health/ok-per-role", async ({ target }) => {
    const res = await call("GET", "/v1/agent/health", { token: "anonymous" });
    expect(res.status).toBe(200);
    const expected: Record<string, unknown> = {};
    if (target.agent.client) expected.client = { ok: true, message: "ok" };
    if (target.agent.server) expected.server = { ok: true, message: "ok" };
    expect(res.json).toEqual(expected);
  });

  behaviour("agent/health/unknown-type-checks-nothing", async () => {
    const res = await call("GET", "/v1/agent/health", { query: { type: "bogus" } });
    expect({ status: res.status, body: res.text }).toEqual({ status: 200, body: "{}" });
  });
});

describe("GET /v1/agent/host", () => {
  behaviour("agent/host/bare-without-target", async () => {
    const body = await get<Record<string, unknown>>("/v1/agent/host");
    expect(body).toHaveProperty("OS");
    expect(body).not.toHaveProperty("AgentID");
  });

  behaviour("agent/host/wrapped-with-server-id", async ({ target }) => {
    const body = await get<Record<string, unknown>>("/v1/agent/host", { server_id: "leader" });
    expect(Object.keys(body).sort()).toEqual(["AgentID", "HostData"]);
    expect(body.HostData).toHaveProperty("OS");
    if (target.agent.serverName && !target.agent.server) expect(body.AgentID).toBeTypeOf("string");
  });

  behaviour("agent/host/both-targets-rejected", async ({ target }) => {
    const res = await call("GET", "/v1/agent/host", {
      query: { server_id: "leader", node_id: target.agent.nodeId ?? "00000000-0000-0000-0000-000000000000" },
    });
    expect({ status: res.status, body: res.text }).toEqual({
      status: 400,
      body: "Can only forward to either client node or server",
    });
  });
});
