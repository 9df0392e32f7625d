/** /v1/agent/monitor: frames, heartbeats, plain text, JSON log lines, parameter errors. Every stream is bounded. */
import { describe, expect } from "vitest";
import { behaviour } from "../../src/conformance/behaviour.ts";
import { type CallInit, type CallResult, call } from "../../src/conformance/exchange.ts";
import { framesOf } from "../../src/conformance/streams.ts";
import { getTarget } from "../../src/conformance/target.ts";

/** Opens the monitor for `ms` while sending a few requests that the agent logs at debug level. */
async function monitorWhileBusy(
  query: CallInit["query"],
  ms = 1_500,
): Promise<{ res: CallResult; marker: string }> {
  const marker = `nc${Date.now().toString(36)}`;
  const res = call("GET", "/v1/agent/monitor", { query, untilMs: ms });
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, ms / 8));
    await call("GET", "/v1/agent/members", { query: { x: `${marker}-${i}` } });
  }
  return { res: await res, marker };
}

// Concurrent: each behaviour holds its own bounded monitor stream (the agent allows 100 per client).
describe.concurrent("GET /v1/agent/monitor", () => {
  behaviour("agent/monitor/frames-decode", async () => {
    const { res, marker } = await monitorWhileBusy({ log_level: "debug" });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("application/json");
    const s = framesOf(res);
    expect(s.error).toBeUndefined();
    expect(s.data.length).toBeGreaterThan(0);
    for (const f of s.data)
      expect({ FileEvent: f.FileEvent, File: f.File }).toEqual({ FileEvent: "log", File: "" });
    expect(s.bytes.toString("utf8")).toContain(marker);
  });

  behaviour("agent/monitor/heartbeats", async () => {
    const res = await call("GET", "/v1/agent/monitor", {
      query: { log_level: "off" },
      untilMs: getTarget().heartbeatMs * 2.3,
    });
    expect(res.status).toBe(200);
    const s = framesOf(res);
    expect(s.error).toBeUndefined();
    expect(s.data).toEqual([]);
    expect(s.heartbeats).toBeGreaterThanOrEqual(1);
    expect(res.text).toMatch(/^(\{\})+$/);
  });

  behaviour("agent/monitor/plain-text", async () => {
    const { res, marker } = await monitorWhileBusy({ log_level: "debug", plain: true });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("text/plain");
    expect(res.text).not.toMatch(/^\{/);
    expect(res.text).toMatch(
      new RegExp(`\\[DEBUG\\] http: request complete: method=GET path=/v1/agent/members\\?x=${marker}`),
    );
  });

  behaviour("agent/monitor/log-json", async () => {
    const { res, marker } = await monitorWhileBusy({ log_level: "debug", log_json: true });
    const lines = framesOf(res).bytes.toString("utf8").split("\n").filter(Boolean);
    const ours = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => String(l.path).includes(marker));
    expect(ours.length).toBeGreaterThan(0);
    for (const l of ours)
      expect(l).toMatchObject({ "@level": "debug", "@message": "request complete", "@module": "http" });
  });

  behaviour("agent/monitor/level-filter", async () => {
    const { res, marker } = await monitorWhileBusy({ log_level: "warn" });
    expect(res.status).toBe(200);
    expect(framesOf(res).bytes.toString("utf8")).not.toContain(marker);
  });

  behaviour("agent/monitor/unknown-log-level", async () => {
    const res = await call("GET", "/v1/agent/monitor", { query: { log_level: "warning" } });
    expect({ status: res.status, body: res.text }).toEqual({
      status: 400,
      body: "Unknown log level: warning",
    });
  });
});
