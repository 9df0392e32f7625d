/** /v1/operator/raft/{configuration,peer}: one leader, and peer removal's errors (never a real removal). */
import { describe, expect } from "vitest";
import { behaviour } from "../../src/conformance/behaviour.ts";
import { call, jsonOf } from "../../src/conformance/exchange.ts";

describe("GET /v1/operator/raft/configuration", () => {
  behaviour("operator/raft/configuration-one-leader", async () => {
    const cfg = jsonOf(await call("GET", "/v1/operator/raft/configuration")) as {
      Servers: { Leader: boolean; Voter: boolean; Address: string }[];
      Index: number;
    };
    const leaders = cfg.Servers.filter((s) => s.Leader);
    expect(leaders).toHaveLength(1);
    expect(leaders[0]?.Voter).toBe(true);
  });
});

describe("DELETE /v1/operator/raft/peer", () => {
  behaviour("operator/raft/peer-address-unsupported", async () => {
    const res = await call("DELETE", "/v1/operator/raft/peer", { query: { address: "127.0.0.1:1" } });
    expect({ status: res.status, body: res.text }).toEqual({
      status: 400,
      body: "Removing a peer by address is not supported in the current raft protocol version",
    });
  });

  behaviour("operator/raft/peer-id-required", async () => {
    const res = await call("DELETE", "/v1/operator/raft/peer");
    expect({ status: res.status, body: res.text }).toEqual({
      status: 400,
      body: "Must specify the peer's ID to remove",
    });
  });

  behaviour("operator/raft/peer-unknown-id", async () => {
    const res = await call("DELETE", "/v1/operator/raft/peer", { query: { id: "nope" } });
    expect({ status: res.status, body: res.text }).toEqual({
      status: 500,
      body: 'id "nope" was not found in the Raft configuration',
    });
  });
});
