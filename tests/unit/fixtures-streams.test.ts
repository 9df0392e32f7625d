/** Frame encoding, heartbeats and cleanup, and /v1/agent/monitor on the fixture agent. */
import { describe, expect, it, vi } from "vitest";
import { createFrameStream, encodeFrame, formatLogEntry } from "../../src/fixtures/index.ts";
import { GoDuration } from "../../src/fixtures/world/logs.ts";
import { fixtureAgent, MGMT, readUntil, splitFrames } from "./fixtures-support.ts";

const agent = fixtureAgent();
const enc = new TextEncoder();
const unb64 = (f: Record<string, unknown>) => Buffer.from(String(f.Data ?? ""), "base64").toString();

describe("frame encoder", () => {
  it.each([
    [{}, "{}"],
    [{ Offset: 0, Data: "", File: "", FileEvent: "" }, "{}"],
    [{ FileEvent: "log", Data: "aGk=" }, '{"Data":"aGk=","FileEvent":"log"}'],
    [{ File: "a", Offset: 3, Data: "aGk=" }, '{"Data":"aGk=","File":"a","Offset":3}'],
  ])("encodes %j as %s", (frame, text) => {
    expect(encodeFrame(frame)).toBe(text);
  });

  it("sends heartbeats on the interval, splits data at the frame size, and clears timers on cancel", async () => {
    let cleaned = 0;
    const stream = createFrameStream({
      plain: false,
      heartbeatMs: 15,
      batchMs: 0,
      frameSize: 4,
      start(sink) {
        sink.data(enc.encode("abcdef"), { file: "f", end: 6 });
        return () => cleaned++;
      },
    });
    const reader = stream.getReader();
    let text = "";
    while (splitFrames(text).filter((f) => !f.Data).length < 2)
      text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const frames = splitFrames(text);
    expect(frames.slice(0, 2)).toEqual([
      { Offset: 4, Data: Buffer.from("abcd").toString("base64"), File: "f" },
      { Offset: 6, Data: Buffer.from("ef").toString("base64"), File: "f" },
    ]);
    expect(cleaned).toBe(1);
  });

  it("writes only raw bytes in plain mode (no heartbeats) and ends cleanly", async () => {
    const stream = createFrameStream({
      plain: true,
      heartbeatMs: 5,
      batchMs: 0,
      frameSize: 1024,
      start(sink) {
        sink.data(enc.encode("raw "));
        setTimeout(() => {
          sink.data(enc.encode("text"));
          sink.end();
        }, 30);
        return undefined;
      },
    });
    expect(await new Response(stream).text()).toBe("raw text");
  });
});

describe("log lines", () => {
  const time = new Date("2026-11-25T15:51:40.921551Z");
  const entry = {
    time,
    level: "debug" as const,
    module: "http",
    message: "request complete",
    fields: { method: "GET", path: "/v1/x?y=<b>1</b>", duration: new GoDuration(444_499) },
    caller: "agent/http.go:1",
  };

  it("renders hclog text with quoted non-ASCII values", () => {
    expect(formatLogEntry(entry, { json: false, includeLocation: false })).toBe(
      '2026-11-25T15:51:40.921Z [DEBUG] http: request complete: method=GET path=/v1/x?y=<b>1</b> duration="444.499µs"\n',
    );
  });

  it("renders JSON with sorted fields, nanosecond durations and HTML escapes", () => {
    expect(formatLogEntry(entry, { json: true, includeLocation: false })).toBe(
      '{"@level":"debug","@message":"request complete","@module":"http","@timestamp":"2026-11-25T15:51:40.921000Z","duration":444499,"method":"GET","path":"/v1/x?y=\\u003cb\\u003e1\\u003c/b\\u003e"}\n',
    );
  });
});

describe("agent monitor", () => {
  it.each([
    ["log_level=warning", "Unknown log level: warning"],
    ["log_json=no", 'Unknown option for log json: strconv.ParseBool: parsing "no": invalid syntax'],
    ["plain=maybe", 'Unknown option for plain: strconv.ParseBool: parsing "maybe": invalid syntax'],
    [
      "log_include_location=maybe",
      'Unknown option for log_include_location: strconv.ParseBool: parsing "maybe": invalid syntax',
    ],
    ["node_id=a&server_id=b", "Cannot target node and server simultaneously"],
  ])("?%s → 400 even when anonymous", async (query, text) => {
    expect(await agent({ acl: true }).text(`/v1/agent/monitor?${query}`)).toEqual([400, text]);
  });

  it("filters by level and frames text lines with FileEvent log, for any method", async () => {
    const a = agent();
    const ac = new AbortController();
    const res = await a.call("/v1/agent/monitor?log_level=warn", { method: "POST", signal: ac.signal });
    expect(res.headers.get("content-type")).toBe("application/json");
    a.world.logs.append({ level: "info", message: "quiet" });
    a.world.logs.append({ level: "error", module: "agent", message: "loud", fields: { k: "v" } });
    const frames = splitFrames(await readUntil(res, (t) => t.includes("}{}"), ac));
    const data = frames.filter((f) => f.Data);
    expect(data.map((f) => f.FileEvent)).toEqual(["log"]);
    expect(unb64(data[0] ?? {})).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[ERROR\] agent: loud: k=v\n$/,
    );
    await vi.waitFor(() => expect(a.world.logs.listenerCount).toBe(0), { timeout: 500 });
  });

  it("renders JSON lines with the caller when asked", async () => {
    const a = agent();
    const res = await a.call("/v1/agent/monitor?log_json=true&log_include_location=true&log_level=error");
    a.world.logs.append({ level: "error", message: "boom", caller: "x/y.go:1" });
    const data = splitFrames(await readUntil(res, (t) => t.includes("Data"))).filter((f) => f.Data);
    expect(JSON.parse(unb64(data[0] ?? {}))).toMatchObject({
      "@caller": "x/y.go:1",
      "@level": "error",
      "@message": "boom",
    });
  });

  it("streams raw text/plain with plain=true and sees other requests at debug", async () => {
    const a = agent();
    const res = await a.call("/v1/agent/monitor?plain=true&log_level=debug");
    expect(res.headers.get("content-type")).toBe("text/plain");
    await a.call("/v1/agent/servers");
    const text = await readUntil(res, (t) => t.includes("path=/v1/agent/servers"));
    expect(text).toMatch(/\[DEBUG\] http: request complete: method=GET path=\/v1\/agent\/servers duration=/);
  });

  it("403s anonymous callers and returns 200 with an empty body for unknown or malformed tokens", async () => {
    const a = agent({ acl: true, bootstrapToken: MGMT });
    expect(await a.text("/v1/agent/monitor")).toEqual([403, "Permission denied"]);
    const [s, body, h] = await a.full("/v1/agent/monitor", { token: "foo" });
    expect([s, body, h.get("content-type")]).toEqual([200, "", "application/json"]);
    expect(
      await a.text("/v1/agent/monitor?node_id=11111111-2222-4333-8444-555555555555", { token: MGMT }),
    ).toEqual([500, 'RPC Error:: 404,Unknown node "11111111-2222-4333-8444-555555555555"']);
  });
});
