/** World factory variants and the operator raft routes that change them. */
import { describe, expect, it } from "vitest";
import { createWorld } from "../../src/fixtures/index.ts";
import { fixtureAgent, MGMT } from "./fixtures-support.ts";

const agent = fixtureAgent();

describe("createWorld", () => {
  it("is deterministic and -dev-like by default", () => {
    const a = createWorld();
    const b = createWorld();
    expect(a.seed).toEqual(b.seed);
    expect(a.members).toEqual(b.members);
    expect(a.agent).toMatchObject({
      region: "global",
      datacenter: "dc1",
      server: true,
      client: true,
      enableDebug: true,
    });
    expect(a.servers).toEqual(["127.0.0.1:4647"]);
    expect(a.raft.servers).toEqual([
      expect.objectContaining({ Leader: true, Voter: true, Address: "127.0.0.1:4647" }),
    ]);
    expect(a.acl.enabled).toBe(false);
  });

  it.each([
    [{ client: false }, { allocs: 0, servers: 0, members: 1 }],
    [{ server: false }, { allocs: 3, servers: 1, members: 1 }],
    [{ raftPeers: 3 }, { allocs: 3, servers: 1, members: 4 }],
  ])("builds the %j variant", (opts, want) => {
    const w = createWorld(opts);
    expect({ allocs: w.allocs.size, servers: w.servers.length, members: w.members.length }).toEqual(want);
  });

  it("refuses an agent with neither role, and bootstraps ACLs with a chosen secret", () => {
    expect(() => createWorld({ server: false, client: false })).toThrow();
    expect(createWorld({ acl: true, bootstrapToken: MGMT }).acl.tokens.get(MGMT)?.Type).toBe("management");
  });
});

describe("operator raft", () => {
  it("lists the configuration and answers a wrong method with an empty 405", async () => {
    const a = agent({ raftPeers: 3 });
    const cfg = (await (await a.call("/v1/operator/raft/configuration")).json()) as {
      Servers: unknown[];
      Index: number;
    };
    expect(cfg.Servers).toHaveLength(3);
    const [s, body, h] = await a.full("/v1/operator/raft/configuration", { method: "POST" });
    expect([s, body, h.get("content-type")]).toEqual([405, "", null]);
  });

  it("removes a peer by id and bumps the index", async () => {
    const a = agent({ raftPeers: 3 });
    const victim = a.world.raft.servers[2]?.ID ?? "";
    expect(await a.text(`/v1/operator/raft/peer?id=${victim}`, { method: "DELETE" })).toEqual([200, ""]);
    const cfg = (await (await a.call("/v1/operator/raft/configuration")).json()) as {
      Servers: Array<{ ID: string }>;
      Index: number;
    };
    expect(cfg.Servers.map((x) => x.ID)).not.toContain(victim);
    expect(cfg.Index).toBeGreaterThan(0);
  });

  it.each([
    ["GET", "peer?id=x", 404, "Invalid method"],
    [
      "DELETE",
      "peer?address=1.2.3.4:4647&id=x",
      400,
      "Removing a peer by address is not supported in the current raft protocol version",
    ],
    ["DELETE", "peer", 400, "Must specify the peer's ID to remove"],
    ["DELETE", "peer?id=nope", 500, 'id "nope" was not found in the Raft configuration'],
    ["GET", "bogus", 404, "Invalid method"],
  ])("%s %s → %i", async (method, rest, status, text) => {
    expect(await agent().text(`/v1/operator/raft/${rest}`, { method })).toEqual([status, text]);
  });

  it("checks parameters before the management-only ACL", async () => {
    const a = agent({ acl: true, bootstrapToken: MGMT });
    expect(await a.text("/v1/operator/raft/peer", { method: "DELETE" })).toEqual([
      400,
      "Must specify the peer's ID to remove",
    ]);
    expect(await a.text("/v1/operator/raft/peer?id=nope", { method: "DELETE" })).toEqual([
      403,
      "Permission denied",
    ]);
    expect((await a.text("/v1/operator/raft/peer?id=nope", { method: "DELETE", token: MGMT }))[0]).toBe(500);
  });

  it("redirects subtree roots and the root like Go's mux", async () => {
    const a = agent();
    const r = await a.call("/v1/client/fs", { redirect: "manual" });
    expect([r.status, r.headers.get("location"), await r.text()]).toEqual([
      307,
      "/v1/client/fs/",
      '<a href="/v1/client/fs/">Temporary Redirect</a>.\n\n',
    ]);
    const root = await a.call("/?x=1", { redirect: "manual" });
    expect([root.status, root.headers.get("location")]).toEqual([307, "/ui/?x=1"]);
  });
});
