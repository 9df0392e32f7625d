/**
 * The bounds under the hostile-response guarantees, checked directly: the suite's body reader stops
 * at `maxBytes` and turns a stalled body into a timeout failure; the client buffers at most 1 MiB of
 * an error body; and it follows no redirect (so the token never reaches another origin).
 */
import http from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_ERROR_BODY_BYTES } from "../../src/client/fetcher.ts";
import { createNomadClient, NomadApiError, NomadTimeoutError } from "../../src/client/index.ts";
import { readBounded } from "../../src/conformance/http.ts";
import { type Hostile, track } from "./hostile-support.ts";

const MIB = 1024 * 1024;
const TOKEN = "nc-bounds-SECRET-9a8b7c6d5e4f";
const servers: Hostile[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(handler: http.RequestListener): Promise<Hostile> {
  const s = await track(http.createServer(handler));
  servers.push(s);
  return s;
}

/** A body of `total` bytes produced on demand in 64 KiB chunks; `pulled()` counts what was produced. */
function lazyBody(total: number) {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) return controller.close();
      const n = Math.min(64 * 1024, total - pulled);
      pulled += n;
      controller.enqueue(new Uint8Array(n).fill(0x7b));
    },
  });
  return { stream, pulled: () => pulled };
}

/** Writes junk until the client goes away (at most `cap` bytes); counts what the kernel accepted. */
function endless(status: number, cap: number, written: { bytes: number }): http.RequestListener {
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  return (_req, res) => {
    res.writeHead(status, { "content-type": "text/plain" });
    const next = () => {
      while (written.bytes < cap && !res.destroyed) {
        written.bytes += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", next);
      }
      res.end();
    };
    next();
  };
}

describe("readBounded", () => {
  it("reads at most maxBytes of a 10 MiB body and cancels the rest", async () => {
    const body = lazyBody(10 * MIB);
    const read = await readBounded(new Response(body.stream), { maxBytes: 4 * MIB, timeoutMs: 5_000 });
    expect(read.truncated).toBe(true);
    expect(read.bytes.byteLength).toBe(4 * MIB);
    expect(body.pulled()).toBeLessThanOrEqual(4 * MIB + 5 * 64 * 1024);
  });

  it("turns a stalled body into a timeout failure naming the request", async () => {
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"partial":'));
      },
    });
    const started = Date.now();
    const error = await readBounded(new Response(stalled), { timeoutMs: 200, operation: "GET /v1/x" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NomadTimeoutError);
    expect((error as Error).message).toBe("GET /v1/x: the body did not end within 200 ms (read 11 bytes)");
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe("the client against hostile answers", () => {
  it("buffers at most 1 MiB of an endless error body and answers long before the timeout", {
    timeout: 20_000,
  }, async () => {
    const written = { bytes: 0 };
    const server = await serve(endless(500, 512 * MIB, written));
    const client = createNomadClient({ address: server.url, token: TOKEN, timeoutMs: 10_000, env: {} });
    const started = Date.now();
    const { error, response } = await client.GET("/v1/agent/self");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(response.status).toBe(500);
    expect(String(error).length).toBeLessThanOrEqual(MAX_ERROR_BODY_BYTES);
    expect(String(error).length).toBeGreaterThan(0);
    // undici replaces a cancelled connection with an idle one that it closes after ~4 s by itself.
    expect(await server.drained(8_000)).toBe(true);
    expect(written.bytes).toBeLessThan(32 * MIB);

    const strict = createNomadClient({ address: server.url, throwOnError: true, timeoutMs: 10_000, env: {} });
    const thrown = await strict.GET("/v1/agent/members").catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(NomadApiError);
    expect((thrown as NomadApiError).body.length).toBeLessThanOrEqual(MAX_ERROR_BODY_BYTES);
  });

  it("does not follow a redirect: a 307 to another origin is the answer, the token stays home", async () => {
    const seen: string[] = [];
    const elsewhere = await serve((req, res) => {
      seen.push(String(req.headers["x-nomad-token"] ?? "(none)"));
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    const redirecting = await serve((req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}${req.url}` }).end();
    });
    const client = createNomadClient({ address: redirecting.url, token: TOKEN, timeoutMs: 5_000, env: {} });
    const { response } = await client.GET("/v1/agent/self");
    expect(response.status).toBe(307);
    expect(seen).toEqual([]);
    expect(elsewhere.accepted()).toBe(0);
  });

  it("answers a redirect loop with its first hop", async () => {
    let hops = 0;
    const loop = await serve((req, res) => {
      hops++;
      res.writeHead(302, { location: `${req.url}?hop=${hops}` }).end();
    });
    const client = createNomadClient({ address: loop.url, timeoutMs: 5_000, env: {} });
    const { response } = await client.GET("/v1/agent/members", { parseAs: "stream" });
    expect(response.status).toBe(302);
    expect(hops).toBe(1);
  });
});
