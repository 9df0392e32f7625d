/** /v1/client/fs/*: consistency between ls/stat/cat/readat/stream/logs on one allocation, and their errors. */
import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import { behaviour } from "../../src/conformance/behaviour.ts";
import { type CallInit, call, jsonOf } from "../../src/conformance/exchange.ts";
import { stdoutPath } from "../../src/conformance/requests.ts";
import { framesOf } from "../../src/conformance/streams.ts";
import { getTarget } from "../../src/conformance/target.ts";

const alloc = () => ({ alloc_id: getTarget().seed.allocId ?? "" });
const fs = (op: string, query: CallInit["query"] = {}, extra: CallInit = {}) =>
  call("GET", `/v1/client/fs/${op}/{alloc_id}`, { path: alloc(), query, ...extra });
const cat = async (path: string) => {
  const res = await fs("cat", { path });
  expect(res.status).toBe(200);
  return res.bytes;
};

describe("GET /v1/client/fs/ls/{alloc_id}", () => {
  behaviour("client-fs/ls/root-has-alloc-and-task", async ({ target }) => {
    const res = await fs("ls", { path: "/" });
    expect(res.status).toBe(200);
    const entries = jsonOf(res) as { Name: string; IsDir: boolean }[];
    expect(entries.filter((e) => e.IsDir).map((e) => e.Name)).toEqual(
      expect.arrayContaining(["alloc", target.seed.task]),
    );
  });

  behaviour("client-fs/ls/matches-stat", async () => {
    const entries = jsonOf(await fs("ls", { path: "alloc/logs" })) as {
      Name: string;
      Size: number;
      IsDir: boolean;
    }[];
    const file = entries.find((e) => `alloc/logs/${e.Name}` === stdoutPath());
    expect(file, stdoutPath()).toBeDefined();
    const stat = jsonOf(await fs("stat", { path: stdoutPath() })) as {
      Name: string;
      Size: number;
      IsDir: boolean;
    };
    expect({ Name: stat.Name, Size: stat.Size, IsDir: stat.IsDir }).toEqual({
      Name: file?.Name,
      Size: file?.Size,
      IsDir: false,
    });
  });

  behaviour("client-fs/unknown-alloc-before-acl", async () => {
    const id = randomUUID();
    const res = await call("GET", "/v1/client/fs/ls/{alloc_id}", {
      path: { alloc_id: id },
      token: "anonymous",
    });
    expect({ status: res.status, body: res.text }).toEqual({
      status: 404,
      body: `Unknown allocation "${id}"`,
    });
  });

  behaviour("client-fs/malformed-alloc-id", async () => {
    const res = await call("GET", "/v1/client/fs/ls/{alloc_id}", { path: { alloc_id: "not-a-uuid" } });
    expect({ status: res.status, body: res.text }).toEqual({
      status: 500,
      body: "alloc lookup failed: index error: UUID must be 36 characters",
    });
  });
});

describe("GET /v1/client/fs/stat|cat|readat/{alloc_id}", () => {
  behaviour("client-fs/stat/size-equals-cat-length", async () => {
    const stat = jsonOf(await fs("stat", { path: stdoutPath() })) as { Size: number };
    expect((await cat(stdoutPath())).length).toBe(stat.Size);
  });

  behaviour("client-fs/stat/missing-path", async () => {
    const res = await fs("stat");
    expect({ status: res.status, body: res.text }).toEqual({ status: 400, body: "must provide a file name" });
  });

  behaviour("client-fs/readat/exact-slice", async ({ skip }) => {
    const whole = await cat(stdoutPath());
    if (whole.length < 4) return skip("the task's stdout holds fewer than 4 bytes");
    const res = await fs("readat", { path: stdoutPath(), offset: 1, limit: 3 });
    expect(res.status).toBe(200);
    expect(Buffer.from(res.bytes)).toEqual(Buffer.from(whole.subarray(1, 4)));
    const rest = await fs("readat", { path: stdoutPath(), offset: 2 });
    expect(Buffer.from(rest.bytes)).toEqual(Buffer.from(whole.subarray(2)));
  });

  behaviour("client-fs/cat/error-delivered-as-200", async () => {
    const res = await fs("cat");
    expect({ status: res.status, type: res.contentType, body: res.text }).toEqual({
      status: 200,
      type: "text/plain; charset=utf-8",
      body: "must provide a file name",
    });
  });
});

describe("GET /v1/client/fs/stream/{alloc_id}", () => {
  behaviour("client-fs/stream/offsets-and-data-match-cat", async () => {
    const whole = await cat(stdoutPath());
    const res = await fs("stream", { path: stdoutPath(), follow: false });
    expect(res.status).toBe(200);
    expect(res.partial, "follow=false ends at EOF").toBe(false);
    const s = framesOf(res);
    expect(s.error).toBeUndefined();
    let end = 0;
    for (const [i, f] of s.data.entries()) {
      expect(f.File).toBe(stdoutPath());
      end += f.Data.length;
      // The agent overshoots the last Offset after full 64 KiB frames (see the spec's errata).
      if (i < s.data.length - 1 || s.data.length === 1)
        expect(f.Offset, `frame ${i}: position after its data`).toBe(end);
      else expect(f.Offset, `last frame ${i}`).toBeGreaterThanOrEqual(end);
    }
    expect(end).toBe(whole.length);
    expect(s.bytes).toEqual(Buffer.from(whole));
  });

  behaviour("client-fs/stream/origin-end", async ({ skip }) => {
    const whole = await cat(stdoutPath());
    if (whole.length < 3) return skip("the task's stdout holds fewer than 3 bytes");
    const res = await fs("stream", { path: stdoutPath(), follow: false, origin: "end", offset: 3 });
    expect(framesOf(res).bytes).toEqual(Buffer.from(whole.subarray(whole.length - 3)));
  });

  behaviour("client-fs/stream/bad-origin", async () => {
    const res = await fs("stream", { path: stdoutPath(), origin: "middle" });
    expect({ status: res.status, body: res.text }).toEqual({
      status: 400,
      body: "origin must be start or end",
    });
  });
});

describe("GET /v1/client/fs/logs/{alloc_id}", () => {
  const logs = (query: CallInit["query"]) =>
    fs(
      "logs",
      { task: getTarget().seed.task ?? "", type: "stdout", ...query },
      { untilMs: getTarget().heartbeatMs * 3 },
    );

  behaviour("client-fs/logs/plain-equals-log-file", async () => {
    const res = await logs({ plain: true });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("text/plain");
    expect(Buffer.from(res.bytes)).toEqual(Buffer.from(await cat(stdoutPath())));
  });

  behaviour("client-fs/logs/frames-name-the-file", async () => {
    const res = await logs({});
    expect(res.contentType).toBe("application/json");
    expect(res.partial, "follow defaults to false: the stream ends").toBe(false);
    const s = framesOf(res);
    expect(s.error).toBeUndefined();
    for (const f of s.data) expect(f.File).toBe(stdoutPath());
    expect(s.bytes).toEqual(Buffer.from(await cat(stdoutPath())));
  });

  behaviour("client-fs/logs/missing-type", async () => {
    const res = await fs("logs", { task: getTarget().seed.task ?? "" });
    expect({ status: res.status, body: res.text }).toEqual({
      status: 400,
      body: "must provide log type (stdout/stderr)",
    });
  });

  behaviour("client-fs/logs/unknown-task", async () => {
    const res = await fs("logs", { task: "no-such-task", type: "stdout" });
    expect({ status: res.status, body: res.text }).toEqual({
      status: 400,
      body: 'unknown task name "no-such-task"',
    });
  });
});
