/** The fixture agent's /v1/client/fs/* routes: listing, stat, cat/readat quirks, stream and logs. */
import { describe, expect, it } from "vitest";
import { fixtureAgent, readUntil, splitFrames } from "./fixtures-support.ts";

const agent = fixtureAgent();
const UNKNOWN = "11111111-2222-4333-8444-555555555555";
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("fs ls and stat", () => {
  it("lists the alloc root and a task dir without ContentType", async () => {
    const a = agent();
    const root = (await (await a.call(`/v1/client/fs/ls/${a.world.seed.allocId}`)).json()) as Array<
      Record<string, unknown>
    >;
    expect(root.map((e) => e.Name)).toEqual(["alloc", "t"]);
    const local = (await (
      await a.call(`/v1/client/fs/ls/${a.world.seed.allocId}?path=t/local`)
    ).json()) as Array<Record<string, unknown>>;
    expect(local.map((e) => [e.Name, e.Size])).toEqual([
      ["empty.txt", 0],
      ["known.txt", 19],
      ["x.html", 31],
    ]);
    expect(local[0]).not.toHaveProperty("ContentType");
  });

  it.each([
    ["t/local/known.txt", "text/plain; charset=utf-8"],
    ["t/local/x.html", "text/html; charset=utf-8"],
    ["t/local/empty.txt", "application/octet-stream"],
    ["t/local", "application/octet-stream"],
  ])("stat %s has ContentType %s", async (path, type) => {
    const a = agent();
    const info = (await (
      await a.call(`/v1/client/fs/stat/${a.world.seed.allocId}?path=${path}`)
    ).json()) as Record<string, unknown>;
    expect(info.ContentType).toBe(type);
  });

  it.each([
    ["ls/", 400, "must provide a valid alloc id"],
    ["ls", 404, "Invalid method"],
    ["nope/x", 404, "Invalid method"],
    [`stat/${UNKNOWN}`, 400, "must provide a file name"],
    [`ls/${UNKNOWN}`, 404, `Unknown allocation "${UNKNOWN}"`],
    ["ls/foo", 500, "alloc lookup failed: index error: UUID must be 36 characters"],
  ])("%s → %i %j", async (rest, status, text) => {
    expect(await agent().text(`/v1/client/fs/${rest}`)).toEqual([status, text]);
  });

  it("leaks the host path for a missing file and refuses escapes", async () => {
    const a = agent();
    const id = a.world.seed.allocId;
    expect(await a.text(`/v1/client/fs/ls/${id}?path=nope`)).toEqual([
      404,
      `open ${a.world.agent.allocDir}/${id}/nope: no such file or directory`,
    ]);
    expect(await a.text(`/v1/client/fs/stat/${id}?path=../../etc`)).toEqual([
      500,
      "Path escapes the alloc directory",
    ]);
  });
});

describe("fs cat and readat", () => {
  it("serves bytes with the sniffed type and the noxssrw headers", async () => {
    const a = agent();
    const [s, body, h] = await a.full(`/v1/client/fs/cat/${a.world.seed.allocId}?path=t/local/x.html`);
    expect([s, body, h.get("content-type")]).toEqual([200, "<html><script>x</script></html>", "text/plain"]);
    expect(h.get("x-content-type-options")).toBe("nosniff");
    expect(h.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'; sandbox");
  });

  it("reads a slice with offset and limit", async () => {
    const a = agent();
    expect(
      await a.text(`/v1/client/fs/readat/${a.world.seed.allocId}?path=t/local/known.txt&offset=6&limit=4`),
    ).toEqual([200, "file"]);
  });

  it.each([
    ["cat/{id}", "must provide a file name"],
    ["cat/{id}?path=t/local", 'file "t/local" is a directory'],
    ["cat/{id}?path=t/secrets/s.txt", "Reading secret file prohibited: t/secrets/s.txt"],
    [
      "readat/{id}?path=t/local/known.txt",
      'error parsing offset: strconv.ParseInt: parsing "": invalid syntax',
    ],
    [`cat/${UNKNOWN}?path=x`, `Unknown allocation "${UNKNOWN}"`],
  ])("delivers the %s error as HTTP 200 text", async (rest, text) => {
    const a = agent();
    const [s, body, h] = await a.full(`/v1/client/fs/${rest.replace("{id}", a.world.seed.allocId)}`);
    expect([s, body, h.get("content-type")]).toEqual([200, text, "text/plain; charset=utf-8"]);
  });
});

describe("fs logs", () => {
  it("returns frames with File and Offset and ends (follow defaults to false)", async () => {
    const a = agent();
    const text = await (await a.call(`/v1/client/fs/logs/${a.world.seed.allocId}?task=t&type=stdout`)).text();
    const frames = splitFrames(text).filter((f) => f.Data);
    expect(frames).toEqual([{ Offset: 13, Data: b64("hello stdout\n"), File: "alloc/logs/t.stdout.0" }]);
  });

  it("returns raw text with plain=true and honours origin=end", async () => {
    const a = agent();
    const [s, body, h] = await a.full(
      `/v1/client/fs/logs/${a.world.seed.allocId}?task=t&type=stderr&plain=true&origin=end&offset=7`,
    );
    expect([s, body, h.get("content-type")]).toEqual([200, "stderr\n", "text/plain"]);
  });

  it.each([
    ["", 400, "must provide task name"],
    ["task=t", 400, "must provide log type (stdout/stderr)"],
    [
      "task=t&type=stdout&follow=maybe",
      400,
      'failed to parse follow field to boolean: strconv.ParseBool: parsing "maybe": invalid syntax',
    ],
    ["task=t&type=stdout&origin=middle", 400, "origin must be start or end"],
    ["task=zz&type=stdout", 400, 'unknown task name "zz"'],
  ])("?%s → %i %j", async (query, status, text) => {
    const a = agent();
    expect(await a.text(`/v1/client/fs/logs/${a.world.seed.allocId}?${query}`)).toEqual([status, text]);
  });

  it("reports a pending task as not started", async () => {
    const a = agent();
    expect(await a.text(`/v1/client/fs/logs/${a.world.seed.pendingAllocId}?task=later&type=stdout`)).toEqual([
      404,
      'task "later" not started yet. No logs available',
    ]);
  });
});

describe("fs stream", () => {
  it("follows by default: appends arrive, truncation and deletion are FileEvents, deletion ends it", async () => {
    const a = agent();
    const files = a.world.allocs.get(a.world.seed.allocId)?.files;
    const res = await a.call(`/v1/client/fs/stream/${a.world.seed.allocId}?path=t/local/known.txt`);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    setTimeout(() => files?.append("t/local/known.txt", "more\n"), 10);
    setTimeout(() => files?.truncate("t/local/known.txt"), 20);
    setTimeout(() => files?.remove("t/local/known.txt"), 30);
    const frames = splitFrames(await readUntil(res, (t) => t.includes("file deleted")));
    const data = frames.filter((f) => f.Data);
    expect(data.map((f) => f.Offset)).toEqual([19, 24]);
    expect(frames.filter((f) => f.FileEvent).map((f) => f.FileEvent)).toEqual([
      "file truncated",
      "file deleted",
    ]);
    expect(files?.listenerCount).toBe(0); // deletion ended the stream itself
  });

  it("refuses secrets and sends nothing (no Content-Type) for an empty file without follow", async () => {
    const a = agent();
    const id = a.world.seed.allocId;
    expect(await a.text(`/v1/client/fs/stream/${id}?path=t/secrets/s.txt`)).toEqual([
      500,
      "Reading secret file prohibited: t/secrets/s.txt",
    ]);
    const [s, body, h] = await a.full(`/v1/client/fs/stream/${id}?path=t/local/empty.txt&follow=false`);
    expect([s, body, h.get("content-type")]).toEqual([200, "", null]);
  });

  it("stops at EOF with follow=false and starts at size-offset with origin=end", async () => {
    const a = agent();
    const text = await (
      await a.call(
        `/v1/client/fs/stream/${a.world.seed.allocId}?path=t/local/known.txt&follow=false&origin=end&offset=8`,
      )
    ).text();
    expect(splitFrames(text).filter((f) => f.Data)).toEqual([
      { Offset: 19, Data: b64("content\n"), File: "t/local/known.txt" },
    ]);
  });

  it.each([
    [
      "path=t/local/known.txt&follow=maybe",
      500,
      'failed to parse follow field to boolean: strconv.ParseBool: parsing "maybe": invalid syntax',
    ],
    [
      "path=t/local/known.txt&offset=x",
      500,
      'error parsing offset: strconv.ParseInt: parsing "x": invalid syntax',
    ],
    [
      "path=nope",
      400,
      "stat /tmp/NomadClient3581904231/alloc/5b0f8c1e-3a2d-4c6b-9e1f-7a8b9c0d1e2f/nope: no such file or directory",
    ],
    ["path=t/local", 400, 'file "t/local" is a directory'],
  ])("?%s → %i", async (query, status, text) => {
    const a = agent();
    expect(await a.text(`/v1/client/fs/stream/${a.world.seed.allocId}?${query}`)).toEqual([status, text]);
  });

  it("reports a collected allocation as gone from the client", async () => {
    const a = agent();
    const id = a.world.seed.terminalAllocId;
    await a.call("/v1/client/gc");
    const dir = `${a.world.agent.allocDir}/${id}`;
    expect(await a.text(`/v1/client/fs/ls/${id}`)).toEqual([404, `open ${dir}: no such file or directory`]);
    expect(await a.text(`/v1/client/fs/stat/${id}?path=t`)).toEqual([
      404,
      `stat ${dir}/t: no such file or directory`,
    ]);
    expect(await a.text(`/v1/client/fs/cat/${id}?path=t`)).toEqual([
      200,
      `state for allocation ${id} not found on client`,
    ]);
    expect((await a.text(`/v1/client/allocation/${id}/stats`))[0]).toBe(200);
    expect(await a.text(`/v1/client/fs/stream/${id}?path=x`)).toEqual([
      404,
      `state for allocation ${id} not found on client`,
    ]);
  });
});
