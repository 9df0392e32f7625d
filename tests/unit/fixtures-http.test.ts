/** The fixture agent on a real socket: same handlers, real streaming, cleanup on disconnect. */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createWorld, type RunningFixtureServer, startFixtureServer } from "../../src/fixtures/index.ts";
import { FAST, readUntil, splitFrames } from "./fixtures-support.ts";

let srv: RunningFixtureServer;
beforeAll(async () => {
  srv = await startFixtureServer({ world: createWorld(FAST) });
});
afterAll(() => srv.close());

describe("startFixtureServer", () => {
  it("listens on 127.0.0.1 and answers JSON through the msw handlers", async () => {
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await fetch(`${srv.url}/v1/agent/servers`);
    expect([r.status, r.headers.get("content-type"), await r.json()]).toEqual([
      200,
      "application/json",
      ["127.0.0.1:4647"],
    ]);
    expect(r.headers.get("vary")).toContain("Accept-Encoding");
  });

  it("sends empty bodies without Content-Type and with Content-Length 0", async () => {
    const r = await fetch(`${srv.url}/v1/agent/force-leave?node=foo`, { method: "PUT" });
    expect([
      r.status,
      r.headers.get("content-type"),
      r.headers.get("content-length"),
      await r.text(),
    ]).toEqual([200, null, "0", ""]);
  });

  it("sends errors as text/plain and unknown paths as empty 404s", async () => {
    const bad = await fetch(`${srv.url}/v1/agent/members`, { method: "DELETE" });
    expect([bad.status, bad.headers.get("content-type"), await bad.text()]).toEqual([
      405,
      "text/plain; charset=utf-8",
      "Invalid method",
    ]);
    const none = await fetch(`${srv.url}/v1/nope`);
    expect([none.status, await none.text()]).toEqual([404, ""]);
  });

  it("accepts request bodies (metadata POST) and mutates the shared world", async () => {
    const r = await fetch(`${srv.url}/v1/client/metadata`, {
      method: "POST",
      body: '{"Meta":{"via_http":"yes"}}',
    });
    expect(r.status).toBe(200);
    expect(srv.world.meta.dynamic.via_http).toBe("yes");
  });

  it("streams frames incrementally, with heartbeats, and stops when the client disconnects", async () => {
    const files = srv.world.allocs.get(srv.world.seed.allocId)?.files;
    const ac = new AbortController();
    const res = await fetch(
      `${srv.url}/v1/client/fs/stream/${srv.world.seed.allocId}?path=alloc/logs/t.stdout.0`,
      { signal: ac.signal },
    );
    setTimeout(() => files?.append("alloc/logs/t.stdout.0", "later\n"), 60);
    const text = await readUntil(
      res,
      (t) => t.includes(Buffer.from("later\n").toString("base64")) && t.endsWith("{}"),
      ac,
    );
    const frames = splitFrames(text);
    expect(frames.filter((f) => f.Data).map((f) => f.Offset)).toEqual([13, 19]);
    expect(frames.some((f) => Object.keys(f).length === 0)).toBe(true);
    await vi.waitFor(() => expect(files?.listenerCount).toBe(0), { timeout: 1000 });
  });

  it("drops the connection where the agent's handler would panic", async () => {
    const w = srv.world;
    w.scheduler.numSchedulers = 2;
    w.scheduler.enabledSchedulers = ["_core", "batch"];
    const body = '{"num_schedulers":2,"enabled_schedulers":["_core","batch","batch"]}';
    await expect(fetch(`${srv.url}/v1/agent/schedulers/config`, { method: "PUT", body })).rejects.toThrow();
  });
});
