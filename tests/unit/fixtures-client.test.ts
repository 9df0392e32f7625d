/** The fixture agent's /v1/client/* routes (fs excluded). */
import { describe, expect, it } from "vitest";
import { fixtureAgent, MGMT, tokenWith } from "./fixtures-support.ts";

const agent = fixtureAgent();
const UNKNOWN = "11111111-2222-4333-8444-555555555555";

describe("client metadata", () => {
  const post = (a: ReturnType<typeof agent>, meta: unknown) =>
    a.call("/v1/client/metadata", { method: "POST", body: JSON.stringify({ Meta: meta }) });

  it("merges keys, stores empty strings, and unsets with null (tombstone only for static keys)", async () => {
    const a = agent();
    await post(a, { a: "1", b: "2", c: "" });
    const body = (await (await post(a, { a: null, b: "3", static_key: null })).json()) as Record<
      string,
      Record<string, unknown>
    >;
    expect(body.Dynamic).toEqual({ b: "3", c: "", static_key: null });
    expect(body.Meta).toMatchObject({ b: "3", c: "" });
    expect(body.Meta).not.toHaveProperty("a");
    expect(body.Meta).not.toHaveProperty("static_key");
    expect(body.Static).toMatchObject({ static_key: "v", "connect.log_level": "info" });
  });

  it.each([
    [undefined, 400, "Request body is empty"],
    ['{"Meta":{}}', 400, "missing required Meta object"],
    ['{"Meta":{"":"x"}}', 400, "metadata keys must not be empty"],
    ['{"Meta":{"a..b":"x"}}', 400, '"a..b" is invalid; metadata keys must be valid dotted hcl identifiers'],
    ['{"Meta":{"1abc":"x"}}', 400, '"1abc" is invalid; metadata keys must be valid dotted hcl identifiers'],
    [
      '{"Meta":{"n":1}}',
      400,
      "json: cannot unmarshal number into Go struct field NodeMetaApplyRequest.Meta of type string",
    ],
  ])("POST %s → %i %j", async (body, status, text) => {
    expect(await agent().text("/v1/client/metadata", { method: "POST", body })).toEqual([status, text]);
  });

  it("accepts dotted identifiers with dashes and underscores", async () => {
    expect((await post(agent(), { "dots.are_ok-too": "x", _x: "y" })).status).toBe(200);
  });

  it("answers PUT with 405 and routes node_id like the agent", async () => {
    const a = agent();
    expect(await a.text("/v1/client/metadata", { method: "PUT" })).toEqual([405, "Invalid method"]);
    expect(await a.text(`/v1/client/metadata?node_id=${UNKNOWN}`)).toEqual([500, `Unknown node ${UNKNOWN}`]);
    expect(await agent({ client: false }).text("/v1/client/metadata")).toEqual([
      400,
      "No local Node and node_id not provided",
    ]);
  });
});

describe("client stats and gc", () => {
  it("accepts any method for stats and maps an unknown node to 404", async () => {
    const a = agent();
    const r = await a.call("/v1/client/stats", { method: "DELETE" });
    expect(r.status).toBe(200);
    expect(Object.keys((await r.json()) as object)).toContain("CPUTicksConsumed");
    expect(await a.text(`/v1/client/stats?node_id=${UNKNOWN}`)).toEqual([404, `Unknown node ${UNKNOWN}`]);
    expect(await a.text("/v1/client/stats?node_id=foo")).toEqual([
      500,
      "node lookup failed: index error: UUID must be 36 characters",
    ]);
  });

  it("writes the parse() 400 and then the normal body", async () => {
    const [status, text] = await agent().text("/v1/client/stats?wait=zz");
    expect(status).toBe(400);
    expect(text).toMatch(/^Invalid wait time\{"AllocDirStats"/);
  });

  it("collects terminal allocations only, with an empty 200", async () => {
    const a = agent();
    const [s, body, h] = await a.full("/v1/client/gc");
    expect([s, body, h.get("content-type")]).toEqual([200, "", null]);
    expect(a.world.allocs.get(a.world.seed.terminalAllocId)?.onClient).toBe(false);
    expect(a.world.allocs.get(a.world.seed.allocId)?.onClient).toBe(true);
  });
});

describe("allocation stats and gc", () => {
  it("reports usage, filters by task and returns an empty Tasks map for an unknown task", async () => {
    const a = agent();
    const all = (await (await a.call(`/v1/client/allocation/${a.world.seed.allocId}/stats`)).json()) as {
      Tasks: object;
    };
    expect(Object.keys(all.Tasks)).toEqual(["t"]);
    const none = (await (
      await a.call(`/v1/client/allocation/${a.world.seed.allocId}/stats?task=zz`)
    ).json()) as Record<string, unknown>;
    expect(none).toMatchObject({ Tasks: {}, Timestamp: 0 });
  });

  it.each([
    ["nope/stats", 500, "alloc lookup failed: index error: UUID must be 36 characters"],
    [`${UNKNOWN}/stats`, 404, `Unknown allocation "${UNKNOWN}"`],
    [`${UNKNOWN}/gc`, 404, `Unknown allocation "${UNKNOWN}"`],
    [`${UNKNOWN}/stats/`, 404, "resource not found"],
    [`${UNKNOWN}/bogus`, 404, "resource not found"],
  ])("%s → %i before any ACL check", async (rest, status, text) => {
    expect(await agent({ acl: true }).text(`/v1/client/allocation/${rest}`)).toEqual([status, text]);
  });

  it("refuses to gc a running allocation and collects a terminal one", async () => {
    const a = agent();
    expect(await a.text(`/v1/client/allocation/${a.world.seed.allocId}/gc`)).toEqual([
      500,
      "No such allocation on client, or allocation not eligible for GC",
    ]);
    expect(
      await a.text(`/v1/client/allocation/${a.world.seed.terminalAllocId}/gc`, { method: "POST" }),
    ).toEqual([200, ""]);
    expect(a.world.allocs.get(a.world.seed.terminalAllocId)?.files.paths()).toEqual([]);
  });

  it("lets gc-allocation or submit-job collect, but not read-job", async () => {
    const a = agent({ acl: true, bootstrapToken: MGMT });
    const reader = await tokenWith(a, "reader", 'namespace "default" { capabilities = ["read-job"] }');
    const gc = await tokenWith(a, "gc", 'namespace "*" { capabilities = ["gc-allocation"] }');
    const path = `/v1/client/allocation/${a.world.seed.terminalAllocId}/gc`;
    expect(await a.text(path, { token: reader })).toEqual([403, "Permission denied"]);
    expect(await a.text(path, { token: gc })).toEqual([200, ""]);
  });
});
