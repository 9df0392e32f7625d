import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createNomadClient,
  NomadAbortError,
  NomadApiError,
  NomadMalformedResponseError,
  NomadNetworkError,
  NomadTimeoutError,
  responseMeta,
} from "../../src/client/index.ts";
import { httpServer, type TestServer } from "./client-support.ts";

const TOKEN = "5f1a2b3c-0000-4000-8000-00000000cafe";
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
}
const seen: Seen[] = [];
/** Per-path canned answers; `hang` never answers. */
const routes: Record<string, (res: ServerResponse) => void> = {
  "/v1/agent/self": (res) => {
    res.setHeader("Content-Type", "application/json");
    res.setHeader("X-Nomad-Index", "42");
    res.setHeader("X-Nomad-KnownLeader", "true");
    res.setHeader("X-Nomad-LastContact", "7");
    res.end(JSON.stringify({ member: { Name: "node1.global" } }));
  },
  "/v1/agent/join": (res) => {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ error: "", num_joined: 2 }));
  },
  "/v1/agent/members": (res) => {
    res.writeHead(403, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("Permission denied");
  },
  "/v1/agent/servers": (res) => {
    res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(`failed to resolve ACL token ${TOKEN}: not found`);
  },
  "/v1/agent/health": (res) => {
    res.setHeader("Content-Type", "application/json");
    res.end('{"server":{"ok":true,"message":"ok"}}');
  },
  "/v1/client/stats": (res) => {
    res.setHeader("Content-Type", "application/json");
    res.end("{not json");
  },
  "/v1/agent/host": (res) => {
    const socket = res.socket;
    hungClosed = new Promise((resolve) => socket?.once("close", () => resolve()));
  },
};
/** Resolves when the socket of the last never-answered request closes. */
let hungClosed: Promise<void> = Promise.resolve();

function handler(req: IncomingMessage, res: ServerResponse) {
  seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
  const route = routes[new URL(req.url ?? "/", "http://x").pathname];
  if (route) route(res);
  else res.writeHead(404).end("Not found");
}

let server: TestServer;
beforeAll(async () => {
  server = await httpServer(handler);
});
afterEach(() => {
  seen.length = 0;
});
afterAll(() => server.close());

describe("requests", () => {
  it("sends the token header and default region/namespace, keeps explicit query values", async () => {
    const client = createNomadClient({
      address: server.url,
      token: TOKEN,
      region: "eu",
      namespace: "ops",
      env: {},
    });
    const { data, response } = await client.GET("/v1/agent/self");
    expect(data).toEqual({ member: { Name: "node1.global" } });
    expect(seen[0]?.headers["x-nomad-token"]).toBe(TOKEN);
    expect(seen[0]?.url).toBe("/v1/agent/self?region=eu&namespace=ops");
    expect(responseMeta(response)).toEqual({ lastIndex: 42, knownLeader: true, lastContactMs: 7 });
    await client.GET("/v1/agent/health", { params: { query: { region: "us" } } });
    expect(seen[1]?.url).toBe("/v1/agent/health?region=us&namespace=ops");
  });

  it("sends no token header and no defaults when none are configured", async () => {
    const client = createNomadClient({ address: server.url, env: {} });
    await client.GET("/v1/agent/self");
    expect(seen[0]?.headers["x-nomad-token"]).toBeUndefined();
    expect(seen[0]?.url).toBe("/v1/agent/self");
  });

  it("reads NOMAD_ADDR and NOMAD_TOKEN from the environment", async () => {
    const client = createNomadClient({ env: { NOMAD_ADDR: server.url, NOMAD_TOKEN: TOKEN } });
    await client.GET("/v1/agent/self");
    expect(seen[0]?.headers["x-nomad-token"]).toBe(TOKEN);
  });

  it("serialises repeated query parameters as address=a&address=b", async () => {
    const client = createNomadClient({ address: server.url, env: {} });
    const { data } = await client.PUT("/v1/agent/join", {
      params: { query: { address: ["10.0.0.9:4648", "b"] } },
    });
    expect(data).toEqual({ error: "", num_joined: 2 });
    expect(seen[0]).toMatchObject({ method: "PUT", url: "/v1/agent/join?address=10.0.0.9%3A4648&address=b" });
  });

  it("looks globalThis.fetch up per request (msw started after the client still intercepts)", async () => {
    const client = createNomadClient({ address: "http://nomad.invalid:4646", env: {} });
    const original = globalThis.fetch;
    globalThis.fetch = async () => new Response(JSON.stringify({ mocked: true }), { status: 200 });
    try {
      const { data } = await client.GET("/v1/agent/self");
      expect(data).toEqual({ mocked: true });
    } finally {
      globalThis.fetch = original;
    }
  });

  it("talks to an agent over a unix socket", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nomad-sock-"));
    const socketPath = join(dir, "nomad.sock");
    const unix = await httpServer(handler, socketPath);
    try {
      const client = createNomadClient({ address: `unix://${socketPath}`, token: TOKEN, env: {} });
      const { data } = await client.GET("/v1/agent/self");
      expect(data).toEqual({ member: { Name: "node1.global" } });
      expect(seen[0]?.headers["x-nomad-token"]).toBe(TOKEN);
    } finally {
      await unix.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("errors", () => {
  it("returns the agent's text as `error` by default", async () => {
    const client = createNomadClient({ address: server.url, env: {} });
    const { data, error, response } = await client.GET("/v1/agent/members");
    expect([data, error, response.status]).toEqual([undefined, "Permission denied", 403]);
  });

  it("throws NomadApiError with status, body and operation when throwOnError is set", async () => {
    const client = createNomadClient({ address: server.url, throwOnError: true, env: {} });
    const error = await client.GET("/v1/agent/members").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NomadApiError);
    expect(error).toMatchObject({
      status: 403,
      body: "Permission denied",
      method: "GET",
      path: "/v1/agent/members",
      operation: "GET /v1/agent/members",
      code: "api",
    });
  });

  it("never puts the token in an error message, even when the agent echoes it", async () => {
    const client = createNomadClient({ address: server.url, token: TOKEN, throwOnError: true, env: {} });
    const error = (await client.GET("/v1/agent/servers").catch((e: unknown) => e)) as NomadApiError;
    expect(error).toBeInstanceOf(NomadApiError);
    expect(error.message).not.toContain(TOKEN);
    expect(error.body).toBe("failed to resolve ACL token <redacted>: not found");
  });

  it("throws NomadMalformedResponseError for a 200 body that is not JSON", async () => {
    const client = createNomadClient({ address: server.url, env: {} });
    await expect(client.GET("/v1/client/stats")).rejects.toThrow(NomadMalformedResponseError);
  });

  it("times out against a server that never answers and frees the connection", async () => {
    const client = createNomadClient({ address: server.url, timeoutMs: 150, env: {} });
    const started = Date.now();
    const error = await client.GET("/v1/agent/host").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NomadTimeoutError);
    expect(error).toMatchObject({ code: "timeout", timeoutMs: 150, operation: "GET /v1/agent/host" });
    expect(Date.now() - started).toBeLessThan(2000);
    await hungClosed;
  });

  it("throws NomadAbortError when the caller aborts", async () => {
    const client = createNomadClient({ address: server.url, env: {} });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await client.GET("/v1/agent/host", { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NomadAbortError);
    await hungClosed;
  });

  it("maps a caller's AbortSignal.timeout() to NomadTimeoutError", async () => {
    const client = createNomadClient({ address: server.url, env: {} });
    const error = await client
      .GET("/v1/agent/host", { signal: AbortSignal.timeout(50) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NomadTimeoutError);
    await hungClosed;
  });

  it("throws NomadNetworkError when nothing listens", async () => {
    const closed = await httpServer(handler);
    await closed.close();
    const client = createNomadClient({ address: closed.url, token: TOKEN, env: {} });
    const error = await client.GET("/v1/agent/self").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NomadNetworkError);
    expect(error).toMatchObject({ code: "network", errno: "ECONNREFUSED" });
    expect((error as Error).message).not.toContain(TOKEN);
  });

  it("throws NomadNetworkError for a missing unix socket", async () => {
    const client = createNomadClient({ address: "unix:///nonexistent/nomad.sock", env: {} });
    await expect(client.GET("/v1/agent/self")).rejects.toMatchObject({ code: "network", errno: "ENOENT" });
  });
});
