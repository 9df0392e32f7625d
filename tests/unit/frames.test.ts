import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import {
  decodeBase64Strict,
  decodeText,
  type Frame,
  FrameSplitter,
  NomadAbortError,
  NomadMalformedResponseError,
  readChunks,
  readFrames,
} from "../../src/client/index.ts";
import { encodeFrame } from "./client-support.ts";

const enc = new TextEncoder();
const text = (f: Frame) => Buffer.from(f.Data).toString("utf8");

/** A recorded-style stream: data frames, heartbeats, a FileEvent frame, braces and escapes in strings. */
const RECORDED =
  `${encodeFrame({ Data: "2024-01-01T00:00:00Z [INFO] agent: started {ok}\n", FileEvent: "log" })}{}` +
  `${encodeFrame({ Offset: 1024, Data: 'quote " and brace } in data', File: 'alloc/logs/web.stdout.0 "}{\\' })}\n{}` +
  `${encodeFrame({ Offset: 2048, File: "alloc/logs/web.stdout.0", FileEvent: "file truncated" })}` +
  `  ${encodeFrame({ Data: "€ and 😀 ok", FileEvent: "log" })}{}`;
const RECORDED_FRAMES = [
  { Offset: 0, File: "", FileEvent: "log", text: "2024-01-01T00:00:00Z [INFO] agent: started {ok}\n" },
  { Offset: 1024, File: 'alloc/logs/web.stdout.0 "}{\\', FileEvent: "", text: 'quote " and brace } in data' },
  { Offset: 2048, File: "alloc/logs/web.stdout.0", FileEvent: "file truncated", text: "" },
  { Offset: 0, File: "", FileEvent: "log", text: "€ and 😀 ok" },
];

/** A body that emits the given chunks, records whether it was cancelled, and can stay open. */
function body(chunks: (string | Uint8Array)[], options: { keepOpen?: boolean } = {}) {
  const state = { cancelled: false };
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks[i++];
      if (next !== undefined) controller.enqueue(typeof next === "string" ? enc.encode(next) : next);
      else if (!options.keepOpen) controller.close();
      else return new Promise(() => {}); // never produces more
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(bytes.subarray(from, cut));
    from = cut;
  }
  return out;
}

async function collect(chunks: Uint8Array[], options = {}) {
  const frames: Frame[] = [];
  for await (const f of readFrames(body(chunks).stream, options)) frames.push(f);
  return frames;
}

const summary = (frames: Frame[]) =>
  frames.map((f) => ({ Offset: f.Offset, File: f.File, FileEvent: f.FileEvent, text: text(f) }));

describe("readFrames: splitting", () => {
  const bytes = enc.encode(RECORDED);

  it("yields the recorded frames at every single split position", async () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(summary(await collect(split(bytes, [cut]))), `cut at ${cut}`).toEqual(RECORDED_FRAMES);
    }
  });

  it("yields the recorded frames when fed byte by byte and in 3-way splits", async () => {
    const single = [...bytes].map((b) => Uint8Array.of(b));
    expect(summary(await collect(single))).toEqual(RECORDED_FRAMES);
    for (let a = 1; a < bytes.length; a += 7) {
      for (let b = a; b < bytes.length; b += 13) {
        expect(summary(await collect(split(bytes, [a, b]))), `cuts ${a},${b}`).toEqual(RECORDED_FRAMES);
      }
    }
  });

  it("reports heartbeats only when asked, Go IsHeartbeat rule included", async () => {
    const chunks = [enc.encode('{}{"Data":""}{"Offset":0}{"Data":"QQ=="}{}')];
    expect((await collect(chunks)).length).toBe(1);
    const all = await collect(chunks, { heartbeats: true });
    expect(all.map(text)).toEqual(["", "", "", "A", ""]);
  });

  it("handles an empty body and whitespace-only body", async () => {
    expect(await collect([])).toEqual([]);
    expect(await collect([enc.encode(" \n\t")])).toEqual([]);
  });
});

describe("readFrames: invalid input", () => {
  const cases: { name: string; given: string; before: number; want: RegExp }[] = [
    {
      name: "truncated final frame",
      given: `${encodeFrame({ Data: "a" })}{"Data":"QU`,
      before: 1,
      want: /ended inside a frame/,
    },
    { name: "truncated object", given: '{"Offset":12', before: 0, want: /ended inside a frame/ },
    {
      name: "invalid JSON",
      given: `${encodeFrame({ Data: "a" })}{"Data":}`,
      before: 1,
      want: /invalid JSON/,
    },
    { name: "trailing comma", given: '{"Offset":1,}', before: 0, want: /invalid JSON/ },
    {
      name: "garbage between frames",
      given: `${encodeFrame({ Data: "a" })}x{}`,
      before: 1,
      want: /unexpected 'x'/,
    },
    { name: "stray closing brace", given: "{}}", before: 0, want: /unexpected '}'/ },
    { name: "invalid base64 character", given: '{"Data":"QUJ*"}', before: 0, want: /not valid base64/ },
    { name: "URL-safe base64", given: '{"Data":"QU-_"}', before: 0, want: /not valid base64/ },
    { name: "missing padding", given: '{"Data":"QQ"}', before: 0, want: /not valid base64/ },
    { name: "padding inside", given: '{"Data":"QQ==QUJD"}', before: 0, want: /not valid base64/ },
    { name: "whitespace in base64", given: '{"Data":"QUJ DQUJ"}', before: 0, want: /not valid base64/ },
    { name: "too much padding", given: '{"Data":"QUJD===="}', before: 0, want: /not valid base64/ },
    { name: "Data not a string", given: '{"Data":5}', before: 0, want: /Data must be a string/ },
    {
      name: "Offset as string",
      given: '{"Offset":"1"}',
      before: 0,
      want: /Offset must be a non-negative integer/,
    },
    {
      name: "negative Offset",
      given: '{"Offset":-1}',
      before: 0,
      want: /Offset must be a non-negative integer/,
    },
    {
      name: "fractional Offset",
      given: '{"Offset":1.5}',
      before: 0,
      want: /Offset must be a non-negative integer/,
    },
    { name: "File not a string", given: '{"File":null}', before: 0, want: /File must be a string/ },
    { name: "unknown key", given: '{"Data":"QQ==","Extra":1}', before: 0, want: /unknown key "Extra"/ },
  ];

  it.each(cases)(
    "$name: yields the $before valid frame(s) before it, then fails",
    async ({ given, before, want }) => {
      for (const cuts of [[], [Math.floor(given.length / 2)]]) {
        const frames: Frame[] = [];
        const run = async () => {
          for await (const f of readFrames(body(split(enc.encode(given), cuts)).stream)) frames.push(f);
        };
        const error = await run().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(NomadMalformedResponseError);
        expect((error as Error).message).toMatch(want);
        expect(frames.length).toBe(before);
      }
    },
  );

  it("fails on a frame larger than maxFrameBytes", async () => {
    const big = encodeFrame({ Data: "x".repeat(3000) });
    await expect(collect(split(enc.encode(big), [1000, 2000]), { maxFrameBytes: 2048 })).rejects.toThrow(
      /larger than 2048/,
    );
  });
});

describe("decodeBase64Strict", () => {
  it.each([
    ["", ""],
    ["QQ==", "41"],
    ["QUI=", "4142"],
    ["QUJD", "414243"],
    ["QR==", "41"],
  ])("accepts %j", (given, hex) => {
    expect(decodeBase64Strict(given)?.toString("hex")).toBe(hex);
  });
  it.each(["Q", "QQ=", "QQ=A", "Q===", "QUéD", "QU\nD", "QUJD\n"])("rejects %j", (given) => {
    expect(decodeBase64Strict(given)).toBeUndefined();
  });
});

describe("decodeText across frames", () => {
  it("rebuilds characters cut inside their UTF-8 bytes at every cut", async () => {
    const message = enc.encode("héllo € 😀 wörld");
    for (let cut = 1; cut < message.length; cut++) {
      const wire =
        encodeFrame({ Data: message.subarray(0, cut) }) + encodeFrame({ Data: message.subarray(cut) });
      let out = "";
      for await (const piece of decodeText(readFrames(body([wire]).stream))) out += piece;
      expect(out, `cut at ${cut}`).toBe("héllo € 😀 wörld");
    }
  });

  it("fails on invalid UTF-8 only when fatal", async () => {
    const wire = encodeFrame({ Data: Uint8Array.of(0x61, 0xff) });
    let lenient = "";
    for await (const piece of decodeText(readFrames(body([wire]).stream))) lenient += piece;
    expect(lenient).toBe("a\uFFFD");
    const strict = async () => {
      for await (const _ of decodeText(readFrames(body([wire]).stream), { fatal: true })) {
      }
    };
    await expect(strict()).rejects.toThrow(NomadMalformedResponseError);
  });
});

describe("readFrames: bounds and cancellation", () => {
  const frames = Array.from({ length: 5 }, (_, i) => `${encodeFrame({ Data: `line ${i}\n` })}{}`);

  it("stops after maxFrames and cancels the body", async () => {
    const { stream, state } = body(frames, { keepOpen: true });
    const it = readFrames(stream, { maxFrames: 2 });
    const got: string[] = [];
    for await (const f of it) got.push(text(f));
    expect(got).toEqual(["line 0\n", "line 1\n"]);
    expect(it.stopReason).toBe("maxFrames");
    expect(state.cancelled).toBe(true);
  });

  it("stops after maxBytes, cutting the last frame", async () => {
    const { stream, state } = body(frames, { keepOpen: true });
    const it = readFrames(stream, { maxBytes: 10 });
    const got: string[] = [];
    for await (const f of it) got.push(text(f));
    expect(got).toEqual(["line 0\n", "lin"]);
    expect([it.stopReason, state.cancelled]).toEqual(["maxBytes", true]);
  });

  it("stops after maxTimeMs on a stream that never ends", async () => {
    const { stream, state } = body(frames.slice(0, 1), { keepOpen: true });
    const it = readFrames(stream, { maxTimeMs: 50 });
    const got: string[] = [];
    for await (const f of it) got.push(text(f));
    expect([got, it.stopReason, state.cancelled]).toEqual([["line 0\n"], "maxTime", true]);
  });

  it("throws NomadAbortError on abort and cancels the body", async () => {
    const { stream, state } = body(frames.slice(0, 1), { keepOpen: true });
    const controller = new AbortController();
    const run = async () => {
      for await (const _ of readFrames(stream, { signal: controller.signal }))
        setTimeout(() => controller.abort(), 10);
    };
    await expect(run()).rejects.toBeInstanceOf(NomadAbortError);
    expect(state.cancelled).toBe(true);
  });

  it("cancels the body when the loop is left with break", async () => {
    const { stream, state } = body(frames, { keepOpen: true });
    const it = readFrames(stream);
    for await (const _ of it) break;
    expect([it.stopReason, state.cancelled]).toEqual(["closed", true]);
  });

  it("readChunks applies the same byte bound to plain bodies", async () => {
    const { stream, state } = body(["abc", "defg", "hij"], { keepOpen: true });
    const got: string[] = [];
    for await (const c of readChunks(stream, { maxBytes: 5 })) got.push(Buffer.from(c).toString());
    expect([got, state.cancelled]).toEqual([["abc", "de"], true]);
  });
});

describe("FrameSplitter", () => {
  it("reports the byte offset of a bad frame in the whole stream", () => {
    const s = new FrameSplitter();
    expect(s.push(enc.encode('{}{"Offset":1}')).length).toBe(2);
    expect(s.push(enc.encode('  {"Data":"!!!!"}')).length).toBe(0);
    const error = s.takeError();
    expect(error?.offset).toBe(16);
    expect(error?.message).toMatch(/frame #2 at byte 16/);
  });
});
