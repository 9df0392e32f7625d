/**
 * The splitter's fast path (the `Data` string decoded straight from the bytes, the rest JSON-parsed)
 * must give exactly what `parseFrame` gives for the same text — the same frame or the same error —
 * wherever the chunks are cut, and must decline whenever a key or value is not what it looks like.
 */
import { Buffer } from "node:buffer";
import { describe, expect, it, vi } from "vitest";
import { SPAN_MIN_BYTES } from "../../src/client/frames.ts";
import { type Frame, FrameSplitter, parseFrame } from "../../src/client/index.ts";

const enc = new TextEncoder();

type Outcome = {
  frames: { Offset: number; File: string; FileEvent: string; data: string }[];
  error?: string;
};

const show = (f: Frame) => ({
  Offset: f.Offset,
  File: f.File,
  FileEvent: f.FileEvent,
  data: Buffer.from(f.Data).toString("latin1"),
});

/** Runs `chunks` through one splitter; the error text is without the frame prefix. */
function split(chunks: Uint8Array[]): Outcome {
  const s = new FrameSplitter();
  const frames: Frame[] = [];
  for (const chunk of chunks) s.push(chunk, frames);
  s.end();
  const error = s.takeError()?.message.replace(/^stream frame #\d+ at byte \d+: /, "");
  return error === undefined ? { frames: frames.map(show) } : { frames: frames.map(show), error };
}

/** What the plain path says about one object's text. */
function oracle(text: string): Outcome {
  try {
    return { frames: [show(parseFrame(text))] };
  } catch (error) {
    return { frames: [], error: (error as Error).message.replace(/^stream frame #\d+ at byte \d+: /, "") };
  }
}

function cutsOf(bytes: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [[bytes], [...bytes].map((b) => Uint8Array.of(b))];
  for (let cut = 1; cut < bytes.length; cut++) out.push([bytes.subarray(0, cut), bytes.subarray(cut)]);
  return out;
}

/** Long enough `Data` values (≥ SPAN_MIN_BYTES) for the fast path to be tried. */
const A = "ABC".repeat(200);
const L = Buffer.from(A).toString("base64");
const B = "BBB".repeat(150);
const M = Buffer.from(B).toString("base64");

const cases: { name: string; given: string; want: Partial<Outcome["frames"][number]> | RegExp }[] = [
  { name: "plain Data", given: `{"Data":"${L}","FileEvent":"log"}`, want: { data: A, FileEvent: "log" } },
  { name: "whitespace around", given: `{ "Data" :\n"${L}" , "Offset" : 7 }`, want: { data: A, Offset: 7 } },
  { name: "empty Data", given: '{"Data":"","File":"f"}', want: { data: "", File: "f" } },
  { name: "escaped key", given: `{"D\\u0061ta":"${L}"}`, want: { data: A } },
  { name: "escape inside the value", given: `{"Data":"${L}QUJ\\u0044"}`, want: { data: `${A}ABC` } },
  { name: "escaped solidus in the value", given: `{"Data":"${L}ab\\/+"}`, want: { data: `${A}i\xbf\xfe` } },
  { name: "duplicate keys, last wins", given: `{"Data":"${L}","Data":"${M}"}`, want: { data: B } },
  { name: "escaped duplicate wins", given: `{"Data":"${L}","D\\u0061ta":"${M}"}`, want: { data: B } },
  {
    name: "escaped duplicate not a string",
    given: `{"Data":"${L}","D\\u0061ta":5}`,
    want: /Data must be a string/,
  },
  {
    name: "plain duplicate not a string",
    given: `{"Data":"${L}","Data":null}`,
    want: /Data must be a string/,
  },
  {
    name: "Data text inside another string",
    given: `{"File":"x\\"Data\\":\\"${L}\\",","Data":"${M}"}`,
    want: { data: B, File: `x"Data":"${L}",` },
  },
  { name: "value followed by colon", given: `{"File":"Data":"${L}"}`, want: /invalid JSON/ },
  { name: "raw tab inside the value", given: `{"Data":"${L}QQ\t="}`, want: /invalid JSON/ },
  { name: "non-ASCII in the value", given: `{"Data":"${L}QUé="}`, want: /not valid base64/ },
  { name: "URL alphabet", given: `{"Data":"${L}QU-_"}`, want: /not valid base64/ },
  { name: "padding inside", given: `{"Data":"QQ==${L}"}`, want: /not valid base64/ },
  { name: "Data as object", given: `{"Data":{"Data":"${L}"}}`, want: /Data must be a string/ },
  { name: "Data key nested", given: `{"File":{"Data":"${L}"}}`, want: /File must be a string/ },
  { name: "Data in an array", given: `{"File":["Data","${L}"]}`, want: /File must be a string/ },
  { name: "unknown key after Data", given: `{"Data":"${L}","Extra":"x"}`, want: /unknown key "Extra"/ },
  { name: "trailing comma", given: `{"Data":"${L}",}`, want: /invalid JSON/ },
];

describe("FrameSplitter fast path", () => {
  it.each(cases)("$name: same outcome as parseFrame at every cut", ({ given, want }) => {
    const expected = oracle(given);
    if (want instanceof RegExp) expect(expected.error).toMatch(want);
    else expect(expected.frames[0]).toMatchObject(want);
    for (const chunks of cutsOf(enc.encode(given))) {
      expect(split(chunks), `${chunks.length} chunks, first ${chunks[0]?.length}`).toEqual(expected);
    }
  });

  it("uses Data values long enough for the fast path", () => {
    expect(Math.min(L.length, M.length)).toBeGreaterThanOrEqual(SPAN_MIN_BYTES);
  });

  it("decodes a long Data from its bytes and JSON-parses only the rest, at every cut", () => {
    const given = `{"Offset":3,"Data":"${L}","File":"alloc/logs/web.stdout.0"}`;
    const bytes = enc.encode(given);
    const parse = vi.spyOn(JSON, "parse");
    try {
      for (let cut = 1; cut < bytes.length; cut++) {
        parse.mockClear();
        const got = split([bytes.subarray(0, cut), bytes.subarray(cut)]);
        expect(
          got.frames.map((f) => f.data),
          `cut at ${cut}`,
        ).toEqual([A]);
        const texts = parse.mock.calls.map(([text]) => String(text));
        // A key cut across the chunks sends the frame down the plain path; otherwise only the rest is parsed.
        const keyCut = ["Offset", "Data", "File"].some((key) => {
          const open = given.indexOf(`"${key}"`);
          return cut > open && cut <= open + key.length + 1;
        });
        expect(texts, `cut at ${cut}`).toEqual(
          keyCut ? [given] : ['{"Offset":3,"Data":"","File":"alloc/logs/web.stdout.0"}'],
        );
      }
    } finally {
      parse.mockRestore();
    }
  });

  it("agrees with parseFrame on every one-byte mutation of some frames", () => {
    const seeds = [
      `{"Offset":5,"Data":"${L}","File":"a\\\\b"}`,
      `{"Data":"${M}","FileEvent":"log"}`,
      `{"D\\u0061ta":"${L}","File":"x"}`,
    ];
    let compared = 0;
    for (const seed of seeds) {
      // Mutate everything but the middle of the long value (the same character class all along).
      const value = seed.indexOf(':"') + 2;
      const [from, to] = [value + 8, seed.indexOf('"', value) - 8];
      for (let at = 0; at < seed.length; at++) {
        if (at > from && at < to) continue;
        for (const c of ['"', "\\", ":", ",", "{", "}", "D", "=", " ", "-", "é"]) {
          const text = seed.slice(0, at) + c + seed.slice(at + 1);
          const bytes = enc.encode(text);
          // Only inputs that are still one object, closed by their last byte, have a parseFrame oracle.
          const open = split([bytes.subarray(0, -1)]);
          if (open.frames.length > 0 || !/ended inside/.test(open.error ?? "")) continue;
          const whole = split([bytes]);
          if (/ended inside/.test(whole.error ?? "")) continue;
          expect(whole, text).toEqual(oracle(text));
          expect(split([bytes.subarray(0, at), bytes.subarray(at)]), text).toEqual(whole);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it("decodes 64 KiB frames cut across many chunk sizes", () => {
    const data = Buffer.alloc(65536, 0);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) & 0xff;
    const wire = enc.encode(
      `{"Offset":65536,"Data":"${data.toString("base64")}","File":"alloc/logs/web.stdout.0"}{}` +
        `{"Data":"${data.subarray(1).toString("base64")}","FileEvent":"log"}`,
    );
    for (const size of [1000, 4096, 65536, 65537, 100_000]) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < wire.length; at += size) chunks.push(wire.subarray(at, at + size));
      const s = new FrameSplitter();
      const frames: Frame[] = [];
      for (const chunk of chunks) s.push(chunk, frames);
      expect(s.takeError(), `chunk size ${size}`).toBeUndefined();
      expect(frames.map((f) => f.Data.length)).toEqual([65536, 0, 65535]);
      expect(Buffer.from(frames[0]?.Data ?? []).equals(data)).toBe(true);
      expect(Buffer.from(frames[2]?.Data ?? []).equals(data.subarray(1))).toBe(true);
    }
  });
});
