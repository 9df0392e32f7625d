/**
 * The fixture agent's HTTP server under 500 concurrent streams (450 fs/logs follow=true, 50 monitor:
 * every request's debug line goes to every monitor, so monitors cost O(n²) to open) plus load: every request is answered correctly while the streams are open, and when the
 * clients disconnect the server drops every connection and the process is back to its stream
 * timers and sockets of before. Bounded: a few seconds.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, type RunningFixtureServer, startFixtureServer } from "../../src/fixtures/index.ts";

const STREAMS = 500;
const REQUESTS = 300;
const HEARTBEAT_MS = 100;

let fixture: RunningFixtureServer;
const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

beforeAll(async () => {
  fixture = await startFixtureServer({ world: createWorld({ heartbeatMs: HEARTBEAT_MS }) });
});
afterAll(async () => {
  agent.destroy();
  await fixture.close();
});

/** Active handles of this process by type (Timeout, TCPSocketWrap, …). */
function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}

const connections = () =>
  new Promise<number>((resolve, reject) =>
    fixture.server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
  );

async function until(check: () => Promise<boolean> | boolean, withinMs: number): Promise<boolean> {
  const end = Date.now() + withinMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

/** Opens a stream; resolves once its first body bytes arrived (the agent sends headers with them). */
function openStream(path: string): Promise<{ req: http.ClientRequest; bytes: () => number }> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const req = http.get(`${fixture.url}${path}`, { agent }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode}`));
      res.on("data", (chunk: Buffer) => {
        received += chunk.length;
        resolve({ req, bytes: () => received });
      });
      res.on("error", () => {});
    });
    req.on("error", (error) => reject(error));
    req.setTimeout(30_000, () => req.destroy(new Error(`${path}: no first bytes within 30 s`)));
  });
}

function getJson(path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${fixture.url}${path}`, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) });
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on("error", reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`${path}: no answer within 30 s`)));
  });
}

describe("the fixture HTTP server under load", () => {
  it(`answers correctly with ${STREAMS} open streams and releases everything when they go`, async () => {
    const before = handles();
    const { allocId, task } = fixture.world.seed;
    const paths = [
      "/v1/agent/monitor?log_level=debug",
      `/v1/client/fs/logs/${allocId}?task=${task}&type=stdout&follow=true&origin=end`,
    ];
    const started = Date.now();
    const streams = await Promise.all(
      Array.from({ length: STREAMS }, (_, i) => openStream(paths[i % 10 === 0 ? 0 : 1] as string)),
    );
    const openedMs = Date.now() - started;
    expect(await connections()).toBe(STREAMS);

    const load = Date.now();
    const answers = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        getJson(i % 2 ? "/v1/agent/members" : "/v1/agent/self").then((r) => ({ i, ...r })),
      ),
    );
    const loadMs = Date.now() - load;
    for (const { i, status, body } of answers) {
      expect(status).toBe(200);
      if (i % 2) expect((body as { Members: unknown[] }).Members.length).toBeGreaterThan(0);
      else expect((body as { config: { Version: { Version: string } } }).config.Version.Version).toBeTruthy();
    }
    // The streams kept flowing during the load (heartbeats at least).
    const sample = streams.map((s) => s.bytes());
    await new Promise((r) => setTimeout(r, HEARTBEAT_MS * 3));
    const moved = streams.filter((s, i) => s.bytes() > (sample[i] as number)).length;
    expect(moved).toBe(STREAMS);

    for (const s of streams) s.req.destroy();
    expect(await until(async () => (await connections()) === 0, 3_000)).toBe(true);
    const released = await until(() => {
      const now = handles();
      return (
        (now.Timeout ?? 0) <= (before.Timeout ?? 0) + 2 &&
        (now.TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0)
      );
    }, 3_000);
    expect(released, `handles before ${JSON.stringify(before)}, after ${JSON.stringify(handles())}`).toBe(
      true,
    );
    console.info(
      `hostile-concurrency: ${STREAMS} streams open in ${openedMs} ms, ${REQUESTS} requests in ${loadMs} ms, all released`,
    );
  }, 120_000);
});
