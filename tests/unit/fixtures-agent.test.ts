/** The fixture agent's /v1/agent/* routes against the agent's documented-by-source behaviour. */
import { describe, expect, it } from "vitest";
import { fixtureAgent } from "./fixtures-support.ts";

const agent = fixtureAgent();

describe("agent routing and methods", () => {
  it.each([
    ["POST", "/v1/agent/members", 405, "Invalid method"],
    ["DELETE", "/v1/agent/self", 405, "Invalid method"],
    ["GET", "/v1/agent/join", 405, "Invalid method"],
    ["GET", "/v1/agent/force-leave", 405, "Invalid method"],
    ["POST", "/v1/agent/health", 405, "Invalid method"],
    ["FOO", "/v1/agent/schedulers", 405, "Invalid method"],
    ["GET", "/v1/agent/self/", 404, ""],
    ["GET", "/v1/agent/nope", 404, ""],
    ["GET", "/v1/agent/pprof/", 404, "Invalid method"],
    ["GET", "/v1/agent/pprof/nope", 404, "Pprof profile not found profile: nope"],
  ])("%s %s → %i %j", async (method, path, status, body) => {
    const [s, text, h] = await agent().full(path, { method });
    expect([s, text]).toEqual([status, body]);
    expect(h.get("content-type")).toBe(body ? "text/plain; charset=utf-8" : null);
  });

  it("answers self with config, member and stats, and ?pretty indents with a trailing newline", async () => {
    const a = agent();
    const self = (await (await a.call("/v1/agent/self")).json()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(self)).toEqual(["config", "member", "stats"]);
    expect(self.member?.Name).toBe(a.world.seed.serverName);
    expect(self.stats?.client).toMatchObject({
      node_id: a.world.seed.nodeId,
      known_servers: "127.0.0.1:4647",
    });
    const [, pretty] = await a.text("/v1/agent/self?pretty");
    expect(pretty.endsWith("}\n")).toBe(true);
    expect(pretty.split("\n")[1]).toMatch(/^ {4}"config"/);
  });

  it("reports a zero member on a client-only agent and 501 for server routes", async () => {
    const a = agent({ server: false });
    const self = (await (await a.call("/v1/agent/self")).json()) as { member: Record<string, unknown> };
    expect(self.member).toMatchObject({ Name: "", Addr: null, Tags: null, Status: "none" });
    expect(await a.text("/v1/agent/join?address=127.0.0.1", { method: "PUT" })).toEqual([
      501,
      "Invalid method",
    ]);
    expect(await a.text("/v1/agent/schedulers")).toEqual([400, "Server only endpoint"]);
  });
});

describe("agent servers", () => {
  it("replaces the list with the addresses that answer a ping", async () => {
    const a = agent({ raftPeers: 3 });
    const [s] = await a.text(
      "/v1/agent/servers?address=127.0.0.2&address=127.0.0.1:1&address=127.0.0.3:4647",
      { method: "PUT" },
    );
    expect(s).toBe(200);
    expect(await (await a.call("/v1/agent/servers")).json()).toEqual(["127.0.0.2:4647", "127.0.0.3:4647"]);
  });

  it("rejects an update where no address answers and keeps the list", async () => {
    const a = agent();
    const [s, text] = await a.text("/v1/agent/servers?address=127.0.0.1:1", { method: "POST" });
    expect(s).toBe(400);
    expect(text).toMatch(/^1 error occurred:\n\t\* Server at address 127\.0\.0\.1:1 failed ping: .*\n\n$/);
    expect(await (await a.call("/v1/agent/servers")).json()).toEqual(["127.0.0.1:4647"]);
  });

  it("checks the address before the ACL (anonymous gets 400) and 501 on a server-only agent", async () => {
    const a = agent({ acl: true });
    expect(await a.text("/v1/agent/servers", { method: "PUT" })).toEqual([400, "missing server address"]);
    expect(await a.text("/v1/agent/servers?address=127.0.0.1", { method: "PUT" })).toEqual([
      403,
      "Permission denied",
    ]);
    expect(await agent({ client: false }).text("/v1/agent/servers")).toEqual([501, "Invalid method"]);
  });

  it("uses a configurable ping predicate", async () => {
    const a = agent({ pingable: (addr) => addr.startsWith("10.") });
    expect((await a.text("/v1/agent/servers?address=10.0.0.9", { method: "PUT" }))[0]).toBe(200);
    expect(await (await a.call("/v1/agent/servers")).json()).toEqual(["10.0.0.9:4647"]);
  });
});

describe("agent membership", () => {
  it("joins known serf addresses and reports failures in `error` with status 200", async () => {
    const a = agent();
    const ok = await (
      await a.call("/v1/agent/join?address=127.0.0.1&address=127.0.0.1:4648", { method: "PUT" })
    ).json();
    expect(ok).toEqual({ num_joined: 2, error: "", warning: "" });
    const bad = (await (
      await a.call("/v1/agent/join?address=127.0.0.1:1", { method: "POST" })
    ).json()) as Record<string, unknown>;
    expect(bad.num_joined).toBe(0);
    expect(bad.error).toMatch(/^1 error occurred:/);
  });

  it("adds the deprecation warning for an anonymous join with ACLs on", async () => {
    const body = (await (
      await agent({ acl: true }).call("/v1/agent/join?address=127.0.0.1", { method: "PUT" })
    ).json()) as Record<string, unknown>;
    expect(body.warning).toBe(
      "anonymous server join is deprecated and will be removed in a future version of Nomad",
    );
  });

  it("force-leave moves a failed member to left, or prunes it", async () => {
    const a = agent({ raftPeers: 2 });
    const gone = a.world.members.find((m) => m.Status === "failed")?.Name ?? "";
    expect(await a.text(`/v1/agent/force-leave?node=${gone}`, { method: "PUT" })).toEqual([200, ""]);
    expect(a.world.members.find((m) => m.Name === gone)?.Status).toBe("left");
    await a.call(`/v1/agent/force-leave?node=${gone}&prune=true`, { method: "PUT" });
    expect(a.world.members.some((m) => m.Name === gone)).toBe(false);
    expect(await a.text("/v1/agent/force-leave?node=foo", { method: "POST" })).toEqual([200, ""]);
    expect(await a.text("/v1/agent/force-leave?node=foo&prune=maybe", { method: "POST" })).toEqual([
      400,
      "invalid prune value",
    ]);
  });

  it("checks force-leave's ACL before its parameters", async () => {
    expect(await agent({ acl: true }).text("/v1/agent/force-leave", { method: "PUT" })).toEqual([
      403,
      "Permission denied",
    ]);
  });
});

describe("agent health and host", () => {
  it.each([
    [{}, "", 200, '{"client":{"message":"ok","ok":true},"server":{"message":"ok","ok":true}}'],
    [{}, "?type=bogus", 200, "{}"],
    [{ server: false }, "?type=server", 500, '{"server":{"ok":false,"message":"server not enabled"}}'],
    [{ client: false }, "?type=client", 500, '{"client":{"ok":false,"message":"client not enabled"}}'],
  ])("health %j %s → %i", async (opts, query, status, body) => {
    expect(await agent(opts).text(`/v1/agent/health${query}`)).toEqual([status, body]);
  });

  it("reports no known servers once the client lost them", async () => {
    const a = agent();
    a.world.servers = [];
    expect(await a.text("/v1/agent/health?type=client")).toEqual([
      500,
      '{"client":{"ok":false,"message":"no known servers"}}',
    ]);
  });

  it("returns bare HostData locally and the wrapped form when targeted", async () => {
    const a = agent();
    const bare = (await (await a.call("/v1/agent/host")).json()) as Record<string, unknown>;
    expect(Object.keys(bare)).toEqual(
      expect.arrayContaining(["OS", "Network", "ResolvConf", "Hosts", "Environment", "Disk"]),
    );
    const wrapped = (await (await a.call(`/v1/agent/host?node_id=${a.world.seed.nodeId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(wrapped.AgentID).toBe(a.world.seed.nodeId);
    expect(await a.text("/v1/agent/host?node_id=a&server_id=b")).toEqual([
      400,
      "Can only forward to either client node or server",
    ]);
  });

  it("needs enable_debug for host and pprof when ACLs are off", async () => {
    const a = agent({ enableDebug: false });
    expect(await a.text("/v1/agent/host")).toEqual([403, "Permission denied"]);
    expect(await a.text("/v1/agent/pprof/cmdline")).toEqual([403, "Permission denied"]);
  });
});

describe("agent pprof", () => {
  it("serves one CPU profile at a time and honours ?profile= over the path", async () => {
    const a = agent({ pprofSecondMs: 30 });
    const first = a.call("/v1/agent/pprof/profile");
    expect(await a.text("/v1/agent/pprof/profile")).toEqual([500, "cpu profiling already in use"]);
    const r = await first;
    expect([r.status, r.headers.get("content-disposition")]).toEqual([200, 'attachment; filename="profile"']);
    const [s, body] = await a.text("/v1/agent/pprof/goroutine?debug=1&profile=threadcreate");
    expect([s, body.startsWith("threadcreate profile:")]).toEqual([200, true]);
  });
});

describe("scheduler workers", () => {
  it("shows one paused and one started worker on a 2-CPU leader", async () => {
    const body = (await (await agent().call("/v1/agent/schedulers")).json()) as {
      schedulers: Array<{ status: string }>;
    };
    expect(body.schedulers.map((s) => s.status)).toEqual(["Paused", "Started"]);
  });

  it.each([
    ["", "Invalid request: Request body is empty"],
    ["{nope}", "Invalid request: invalid character 'n' looking for beginning of object key string"],
    ['{"num_schedulers":-1,"enabled_schedulers":["_core"]}', "Invalid request"],
    ['{"num_schedulers":3,"enabled_schedulers":["_core"]}', "Invalid request"],
    ['{"num_schedulers":1,"enabled_schedulers":["service"]}', "Invalid request"],
    ['{"num_schedulers":1,"enabled_schedulers":["_core","bogus"]}', "Invalid request"],
  ])("rejects %j with 400 %j", async (body, text) => {
    expect(await agent().text("/v1/agent/schedulers/config", { method: "PUT", body })).toEqual([400, text]);
  });

  it("applies a valid config, treats a missing num_schedulers as 0, and ignores an unchanged prefix", async () => {
    const a = agent();
    const put = (body: string) =>
      a.call("/v1/agent/schedulers/config", { method: "POST", body }).then((r) => r.json());
    expect(await put('{"num_schedulers":2,"enabled_schedulers":["_core"]}')).toMatchObject({
      enabled_schedulers: ["service", "batch", "system", "sysbatch", "_core"],
    });
    expect(await put('{"enabled_schedulers":["_core","batch"]}')).toMatchObject({
      num_schedulers: 0,
      enabled_schedulers: ["_core", "batch"],
    });
    const workers = (await (await a.call("/v1/agent/schedulers")).json()) as { schedulers: unknown[] };
    expect(workers.schedulers).toHaveLength(0);
  });
});
