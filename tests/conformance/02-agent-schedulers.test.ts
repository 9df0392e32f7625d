/** /v1/agent/schedulers(/config) and /v1/agent/pprof/*: workers, config replace + validation, profiles. */
import { describe, expect } from "vitest";
import { behaviour } from "../../src/conformance/behaviour.ts";
import { call, jsonOf } from "../../src/conformance/exchange.ts";

interface WorkerConfig {
  server_id: string;
  num_schedulers: number;
  enabled_schedulers: string[];
}
const config = async () => jsonOf(await call("GET", "/v1/agent/schedulers/config")) as WorkerConfig;
const setConfig = (body: unknown) => call("PUT", "/v1/agent/schedulers/config", { body });

describe("GET /v1/agent/schedulers", () => {
  behaviour("agent/schedulers/one-entry-per-worker", async () => {
    const info = jsonOf(await call("GET", "/v1/agent/schedulers")) as {
      server_id: string;
      schedulers: unknown[];
    };
    const cfg = await config();
    expect(info.schedulers).toHaveLength(cfg.num_schedulers);
    expect(info.server_id).toBe(cfg.server_id);
  });
});

describe("GET|PUT|POST /v1/agent/schedulers/config", () => {
  behaviour("agent/schedulers-config/put-replaces", async () => {
    const before = await config();
    const wanted = {
      num_schedulers: before.num_schedulers > 0 ? before.num_schedulers - 1 : 1,
      enabled_schedulers: ["batch", "_core"],
    };
    try {
      const res = await setConfig(wanted);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ num_schedulers: wanted.num_schedulers });
      expect(((jsonOf(res) as WorkerConfig).enabled_schedulers ?? []).sort()).toEqual(["_core", "batch"]);
      const after = await config();
      expect({ ...after, enabled_schedulers: after.enabled_schedulers.sort() }).toEqual({
        server_id: before.server_id,
        ...wanted,
        enabled_schedulers: ["_core", "batch"],
      });
    } finally {
      await setConfig({
        num_schedulers: before.num_schedulers,
        enabled_schedulers: before.enabled_schedulers,
      });
    }
  });

  behaviour("agent/schedulers-config/invalid-rejected", async () => {
    const before = await config();
    try {
      for (const body of [
        { num_schedulers: -1, enabled_schedulers: before.enabled_schedulers },
        { num_schedulers: before.num_schedulers, enabled_schedulers: ["batch"] },
        { num_schedulers: before.num_schedulers, enabled_schedulers: ["_core", "nope"] },
      ]) {
        const res = await setConfig(body);
        expect({ status: res.status, body: res.text }, JSON.stringify(body)).toEqual({
          status: 400,
          body: "Invalid request",
        });
      }
      expect(await config()).toEqual(before);
    } finally {
      const now = await config();
      if (JSON.stringify(now) !== JSON.stringify(before))
        await setConfig({
          num_schedulers: before.num_schedulers,
          enabled_schedulers: before.enabled_schedulers,
        });
    }
  });

  behaviour("agent/schedulers-config/empty-body", async () => {
    const res = await call("PUT", "/v1/agent/schedulers/config");
    expect({ status: res.status, body: res.text }).toEqual({
      status: 400,
      body: "Invalid request: Request body is empty",
    });
  });
});

describe("GET /v1/agent/pprof/*", () => {
  behaviour("agent/pprof/cmdline-text", async () => {
    const res = await call("GET", "/v1/agent/pprof/cmdline");
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("text/plain; charset=utf-8");
    expect(res.bytes.length).toBeGreaterThan(0);
  });

  behaviour("agent/pprof/goroutine-binary-or-text", async () => {
    const bin = await call("GET", "/v1/agent/pprof/{profile}", { path: { profile: "goroutine" } });
    expect(bin.status).toBe(200);
    expect(bin.contentType).toBe("application/octet-stream");
    expect(bin.headers.get("content-disposition")).toBe('attachment; filename="goroutine"');
    const text = await call("GET", "/v1/agent/pprof/{profile}", {
      path: { profile: "goroutine" },
      query: { debug: 1 },
    });
    expect(text.status).toBe(200);
    expect(text.contentType).toBe("text/plain; charset=utf-8");
    expect(text.text).toMatch(/^goroutine profile: total \d+/);
  });

  behaviour("agent/pprof/unknown-profile", async () => {
    const res = await call("GET", "/v1/agent/pprof/{profile}", { path: { profile: "nope" } });
    expect({ status: res.status, body: res.text }).toEqual({
      status: 404,
      body: "Pprof profile not found profile: nope",
    });
  });

  behaviour("agent/pprof/root-not-found", async () => {
    const res = await call("GET", "/v1/agent/pprof/");
    expect({ status: res.status, body: res.text }).toEqual({ status: 404, body: "Invalid method" });
  });
});
