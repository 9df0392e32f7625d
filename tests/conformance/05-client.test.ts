/** /v1/client/{metadata,stats,allocation/*}: merge semantics, validation, stats fields, unknown allocations. */
import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import { behaviour } from "../../src/conformance/behaviour.ts";
import { call, jsonOf } from "../../src/conformance/exchange.ts";

interface NodeMeta {
  Meta: Record<string, string>;
  Dynamic: Record<string, string | null>;
  Static: Record<string, string>;
}
const read = async () => jsonOf(await call("GET", "/v1/client/metadata")) as NodeMeta;
const apply = (Meta: Record<string, string | null>) =>
  call("POST", "/v1/client/metadata", { body: { Meta } });
/** Meta as the agent derives it: static keys, overridden or removed (null) by dynamic ones. */
const merged = (m: NodeMeta) => {
  const out: Record<string, string> = { ...m.Static };
  for (const [k, v] of Object.entries(m.Dynamic ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
};
const key = (runId: string, name: string) =>
  `nomad_conformance.${runId.replace(/[^A-Za-z0-9_]/g, "_")}.${name}`;

describe("GET|POST /v1/client/metadata", () => {
  behaviour("client/metadata/meta-is-static-plus-dynamic", async () => {
    const m = await read();
    expect(m.Meta).toEqual(merged(m));
  });

  behaviour("client/metadata/post-merges", async ({ target }) => {
    const [a, b] = [key(target.runId, "a"), key(target.runId, "b")];
    const before = await read();
    try {
      expect((await apply({ [a]: "1" })).status).toBe(200);
      const res = await apply({ [b]: "2" });
      expect(res.status).toBe(200);
      const after = jsonOf(res) as NodeMeta;
      expect(after.Meta).toMatchObject({ [a]: "1", [b]: "2" });
      expect(after.Static).toEqual(before.Static);
      for (const [k, v] of Object.entries(before.Meta)) expect(after.Meta[k], k).toBe(v);
      expect(after.Meta).toEqual(merged(after));
    } finally {
      await apply({ [a]: null, [b]: null });
    }
  });

  behaviour("client/metadata/null-unsets", async ({ target }) => {
    const k = key(target.runId, "unset");
    try {
      await apply({ [k]: "x" });
      const res = await apply({ [k]: null });
      expect(res.status).toBe(200);
      const after = jsonOf(res) as NodeMeta;
      expect(after.Meta).not.toHaveProperty([k]);
      expect(after.Dynamic, "a non-static key is removed, not tombstoned").not.toHaveProperty([k]);
      expect((await read()).Meta).not.toHaveProperty([k]);
    } finally {
      await apply({ [k]: null });
    }
  });

  behaviour("client/metadata/put-not-allowed", async () => {
    const res = await call("PUT", "/v1/client/metadata", { body: { Meta: { x: "y" } } });
    expect({ status: res.status, body: res.text }).toEqual({ status: 405, body: "Invalid method" });
  });

  behaviour("client/metadata/empty-meta-rejected", async () => {
    const before = await read();
    const res = await call("POST", "/v1/client/metadata", { body: { Meta: {} } });
    expect({ status: res.status, body: res.text }).toEqual({
      status: 400,
      body: "missing required Meta object",
    });
    expect(await read()).toEqual(before);
  });

  behaviour("client/metadata/invalid-key-rejected", async () => {
    const res = await apply({ "1abc": "x" });
    expect({ status: res.status, body: res.text }).toEqual({
      status: 400,
      body: '"1abc" is invalid; metadata keys must be valid dotted hcl identifiers',
    });
  });
});

describe("GET /v1/client/stats", () => {
  behaviour("client/stats/cpu-fields", async () => {
    const stats = jsonOf(await call("GET", "/v1/client/stats")) as { CPU: Record<string, unknown>[] };
    expect(stats.CPU.length).toBeGreaterThan(0);
    for (const cpu of stats.CPU) {
      expect(cpu).toMatchObject({
        CPU: expect.any(String),
        TotalPercent: expect.any(Number),
        TotalTicks: expect.any(Number),
      });
      expect(cpu).not.toHaveProperty("Total");
    }
  });
});

describe("GET /v1/client/allocation/{alloc_id}/stats", () => {
  behaviour("client/alloc-stats/unknown-alloc", async () => {
    const id = randomUUID();
    const res = await call("GET", "/v1/client/allocation/{alloc_id}/stats", {
      path: { alloc_id: id },
      token: "anonymous",
    });
    expect({ status: res.status, body: res.text }).toEqual({
      status: 404,
      body: `Unknown allocation "${id}"`,
    });
  });

  behaviour("client/alloc-stats/task-filter", async ({ target }) => {
    const res = await call("GET", "/v1/client/allocation/{alloc_id}/stats", {
      path: { alloc_id: target.seed.allocId ?? "" },
      query: { task: target.seed.task ?? "" },
    });
    expect(res.status).toBe(200);
    expect(Object.keys((jsonOf(res) as { Tasks: object }).Tasks)).toEqual([target.seed.task]);
  });
});
