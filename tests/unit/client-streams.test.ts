import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collectText,
  createNomadClient,
  type Frame,
  monitor,
  monitorText,
  NomadAbortError,
  NomadApiError,
  type NomadClient,
  NomadMalformedResponseError,
  streamFile,
  streamFileText,
  streamLogs,
  streamLogsText,
} from "../../src/client/index.ts";
import { encodeFrame, httpServer, type TestServer } from "./client-support.ts";

const ALLOC = "5e1e0a3c-1b2d-4c5e-8f90-123456789abc";
const utf8 = (f: Frame) => Buffer.from(f.Data).toString("utf8");
const euro = Buffer.from("€"); // 3 bytes, cut after the first
const MONITOR_WIRE = [
  "{}",
  `${encodeFrame({ Data: "first line\n", FileEvent: "log" })}{"Da`,
  `ta":"${Buffer.from("second ").toString("base64")}","FileEvent":"log"}{}`,
  encodeFrame({ Data: Buffer.concat([Buffer.from("price "), euro.subarray(0, 1)]), FileEvent: "log" }),
  encodeFrame({ Data: Buffer.concat([euro.subarray(1), Buffer.from("5\n")]), FileEvent: "log" }),
];

const requests: { url: string; socket: Socket }[] = [];
/** Resolves when the socket that carried the request to `path` closes. */
const closed = (path: string) => {
  const entry = requests.find((r) => r.url.startsWith(path));
  return new Promise<void>((resolve) =>
    entry?.socket.destroyed ? resolve() : entry?.socket.once("close", resolve),
  );
};

async function handler(req: IncomingMessage, res: ServerResponse) {
  requests.push({ url: req.url ?? "", socket: req.socket });
  const url = new URL(req.url ?? "/", "http://x");
  const q = url.searchParams;
  if (q.get("log_level") === "bogus")
    return res.writeHead(400, { "Content-Type": "text/plain" }).end("Unknown log level: bogus");
  if (q.get("node_id") === "silent") return; // like plain monitor on a quiet agent: no headers at all
  const plain = q.get("plain") === "true";
  res.writeHead(200, { "Content-Type": plain ? "text/plain" : "application/json" });
  if (url.pathname === "/v1/agent/monitor" && plain) {
    res.write(Buffer.concat([Buffer.from("plain line\nprice "), euro.subarray(0, 2)]));
    setTimeout(() => res.write(Buffer.concat([euro.subarray(2), Buffer.from("5\n")])), 5);
    return; // never ends
  }
  if (url.pathname === "/v1/agent/monitor") {
    for (const [i, piece] of MONITOR_WIRE.entries()) setTimeout(() => res.write(piece), i * 5);
    const beat = setInterval(() => res.write("{}"), 20);
    res.once("close", () => clearInterval(beat));
    return; // never ends, heartbeats forever
  }
  if (url.pathname.startsWith("/v1/client/fs/logs/")) {
    if (plain) return res.end("log text\n");
    return res.end(`${encodeFrame({ Data: "stdout 1\n", File: "alloc/logs/web.stdout.0", Offset: 9 })}{}`);
  }
  if (url.pathname.startsWith("/v1/client/fs/stream/")) {
    return res.end(
      `${MONITOR_WIRE.slice(3).join("")}${encodeFrame({ FileEvent: "file deleted" })}{"Data":"%%"}`,
    );
  }
  res.writeHead(404).end();
}

let server: TestServer;
let client: NomadClient;
beforeAll(async () => {
  server = await httpServer(handler);
  client = createNomadClient({ address: server.url, token: "stream-token", env: {} });
});
afterAll(() => server.close());

describe("monitor", () => {
  it("yields frames split across writes, skips heartbeats, and closes the connection on break", async () => {
    const got: string[] = [];
    for await (const frame of monitor(client, { logLevel: "debug" })) {
      got.push(utf8(frame));
      if (got.length === 2) break;
    }
    expect(got).toEqual(["first line\n", "second "]);
    expect(requests.at(-1)?.url).toBe("/v1/agent/monitor?log_level=debug");
    await closed("/v1/agent/monitor?log_level=debug");
  });

  it("decodes characters cut across frames as text", async () => {
    const frames = monitor(client, { maxFrames: 4 });
    const { decodeText } = await import("../../src/client/index.ts");
    expect(await collectText(decodeText(frames))).toBe("first line\nsecond price €5\n");
  });

  it("reports heartbeats when asked and stops at maxTimeMs", async () => {
    let heartbeats = 0;
    for await (const frame of monitor(client, { heartbeats: true, maxTimeMs: 120, logLevel: "warn" })) {
      if (frame.Data.length === 0) heartbeats++;
    }
    expect(heartbeats).toBeGreaterThanOrEqual(3);
    await closed("/v1/agent/monitor?log_level=warn");
  });

  it("throws NomadAbortError when the signal fires mid-stream and frees the connection", async () => {
    const controller = new AbortController();
    const run = async () => {
      for await (const _ of monitor(client, { signal: controller.signal, logLevel: "trace" }))
        controller.abort();
    };
    await expect(run()).rejects.toBeInstanceOf(NomadAbortError);
    await closed("/v1/agent/monitor?log_level=trace");
  });

  it("throws NomadApiError with the agent's text for a 400", async () => {
    const error = await monitor(client, { logLevel: "bogus" })
      .next()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NomadApiError);
    expect(error).toMatchObject({
      status: 400,
      body: "Unknown log level: bogus",
      operation: "GET /v1/agent/monitor",
    });
  });

  it("ends quietly at maxTimeMs when the agent never sends headers (plain mode on a quiet agent)", async () => {
    const started = Date.now();
    expect(await collectText(monitorText(client, { nodeId: "silent", maxTimeMs: 100 }))).toBe("");
    expect(Date.now() - started).toBeLessThan(2000);
    await closed("/v1/agent/monitor?node_id=silent");
  });

  it("monitorText streams plain text and rebuilds cut characters", async () => {
    const text = await collectText(monitorText(client, { maxBytes: 22 }));
    expect(text).toBe("plain line\nprice €5\n");
    expect(requests.at(-1)?.url).toBe("/v1/agent/monitor?plain=true");
    await closed("/v1/agent/monitor?plain=true");
  });
});

describe("allocation files and logs", () => {
  it("streamLogs sends task, type and options and yields typed frames", async () => {
    const frames: Frame[] = [];
    for await (const f of streamLogs(client, ALLOC, "web", {
      type: "stderr",
      follow: false,
      origin: "end",
      offset: 10,
    })) {
      frames.push(f);
    }
    expect(frames).toEqual([
      { Offset: 9, Data: Buffer.from("stdout 1\n"), File: "alloc/logs/web.stdout.0", FileEvent: "" },
    ]);
    expect(requests.at(-1)?.url).toBe(
      `/v1/client/fs/logs/${ALLOC}?task=web&type=stderr&offset=10&origin=end&follow=false`,
    );
  });

  it("streamLogsText uses plain=true", async () => {
    expect(await collectText(streamLogsText(client, ALLOC, "web"))).toBe("log text\n");
    expect(requests.at(-1)?.url).toBe(`/v1/client/fs/logs/${ALLOC}?task=web&type=stdout&plain=true`);
  });

  it("streamFile yields valid frames, then fails on the invalid one", async () => {
    const events: string[] = [];
    const run = async () => {
      for await (const f of streamFile(client, ALLOC, "alloc/data/out.txt"))
        events.push(`${f.FileEvent}:${f.Data.length}`);
    };
    await expect(run()).rejects.toBeInstanceOf(NomadMalformedResponseError);
    expect(events).toEqual(["log:7", "log:4", "file deleted:0"]);
    expect(requests.at(-1)?.url).toBe(`/v1/client/fs/stream/${ALLOC}?path=alloc%2Fdata%2Fout.txt`);
  });

  it("streamFileText decodes across frames until the error", async () => {
    let text = "";
    const run = async () => {
      for await (const piece of streamFileText(client, ALLOC, "out.txt", { follow: true })) text += piece;
    };
    await expect(run()).rejects.toBeInstanceOf(NomadMalformedResponseError);
    expect(text).toBe("price €5\n");
  });
});

describe("under msw (mocked fetch, tee'd bodies)", () => {
  const msw = setupServer(
    http.get("http://nomad.msw.invalid:4646/v1/agent/monitor", () => {
      const enc = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          await new Promise((r) => setTimeout(r, 5));
          controller.enqueue(enc.encode(`${encodeFrame({ Data: "mocked\n", FileEvent: "log" })}{}`));
        },
      });
      return new HttpResponse(body, { headers: { "Content-Type": "application/json" } });
    }),
  );
  beforeAll(() => msw.listen({ onUnhandledRequest: "error" }));
  afterAll(() => msw.close());

  it("breaking out of an endless mocked stream does not hang", async () => {
    const mocked = createNomadClient({ address: "http://nomad.msw.invalid:4646", env: {} });
    const got: string[] = [];
    for await (const f of monitor(mocked)) {
      got.push(utf8(f));
      if (got.length === 3) break;
    }
    expect(got).toEqual(["mocked\n", "mocked\n", "mocked\n"]);
  });
});
