/**
 * Frame reader benchmark (`npm run bench:frames`). Pushes a synthetic agent stream through
 * `readFrames()` and, in the same run, measures two raw limits on the same frame bytes with the
 * boundaries known in advance (no framing, no validation, no iteration):
 * - "JSON.parse": `JSON.parse` of each frame's text + base64 decode of its `Data` (the limit);
 * - "span": the decode work the reader itself does — base64 decode of the `Data` string's latin1
 *   text taken straight from the bytes, and `JSON.parse` of the rest of the frame.
 *
 * Env: BENCH_FRAMES_MIB (decoded MiB per frame size, default 256), BENCH_FRAMES_SIZES (default
 * "65536,1024"), BENCH_FRAMES_CHUNK (bytes per network chunk, default 65536), BENCH_FRAMES_ROUNDS
 * (default 16: the volume is split into alternating reader/raw rounds). Heartbeats `{}` are
 * interleaved after every 4th frame. Run with --expose-gc for a clean RSS baseline.
 */
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { readFrames } from "../src/client/reader.ts";

const MIB = 1024 * 1024;
const targetBytes = Number(process.env.BENCH_FRAMES_MIB ?? 256) * MIB;
const sizes = (process.env.BENCH_FRAMES_SIZES ?? "65536,1024").split(",").map(Number);
const chunkSize = Number(process.env.BENCH_FRAMES_CHUNK ?? 65536);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** One cycle of ~4 MiB of wire bytes: frames (fs-style or monitor-style) and heartbeats. */
function makeCycle(frameSize: number) {
  const parts: Buffer[] = [];
  /** Per encoded frame: start, end, and its `Data` string between the quotes (-1 if none). */
  const bounds: [number, number, number, number][] = [];
  let wire = 0;
  let data = 0;
  let offset = 0;
  for (let i = 0; wire < 4 * MIB; i++) {
    const bytes = randomBytes(frameSize);
    offset += frameSize;
    const frame =
      frameSize >= 16384
        ? { Offset: offset, Data: bytes.toString("base64"), File: "alloc/logs/web.stdout.0" }
        : { Data: bytes.toString("base64"), FileEvent: "log" };
    const encoded = [Buffer.from(JSON.stringify(frame)), ...(i % 4 === 3 ? [Buffer.from("{}")] : [])];
    for (const piece of encoded) {
      const key = piece.indexOf('"Data":"');
      const ds = key === -1 ? -1 : wire + key + 8;
      bounds.push([wire, wire + piece.length, ds, key === -1 ? -1 : wire + piece.indexOf(0x22, key + 8)]);
      parts.push(piece);
      wire += piece.length;
    }
    data += frameSize;
  }
  const buffer = Buffer.concat(parts);
  const chunks: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += chunkSize) chunks.push(buffer.subarray(at, at + chunkSize));
  return { buffer, bounds, chunks, data };
}

type Cycle = ReturnType<typeof makeCycle>;

function streamOf(cycle: Cycle, cycles: number): ReadableStream<Uint8Array> {
  let n = 0;
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i === cycle.chunks.length) {
        i = 0;
        if (++n === cycles) return controller.close();
      }
      controller.enqueue(cycle.chunks[i++] as Buffer);
    },
  });
}

/** Wall and process CPU time from now. */
function startClock() {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 };
  };
}

async function runReader(cycle: Cycle, cycles: number) {
  let peak = process.memoryUsage.rss();
  let bytes = 0;
  let frames = 0;
  const stop = startClock();
  let sampleAt = 0;
  for await (const frame of readFrames(streamOf(cycle, cycles))) {
    bytes += frame.Data.length;
    frames++;
    if (bytes >= sampleAt) {
      // Sampling RSS is a syscall: every 4 MiB keeps it out of the measurement.
      peak = Math.max(peak, process.memoryUsage.rss());
      sampleAt = bytes + 4 * MIB;
    }
  }
  return { ...stop(), bytes, frames, peak: Math.max(peak, process.memoryUsage.rss()) };
}

function runRaw(cycle: Cycle, cycles: number) {
  let bytes = 0;
  const stop = startClock();
  for (let n = 0; n < cycles; n++) {
    for (const [s, e] of cycle.bounds) {
      const obj = JSON.parse(cycle.buffer.toString("utf8", s, e)) as { Data?: string };
      if (obj.Data !== undefined) bytes += Buffer.from(obj.Data, "base64").length;
    }
  }
  return { ...stop(), bytes };
}

function runRawSpan(cycle: Cycle, cycles: number) {
  const { buffer } = cycle;
  let bytes = 0;
  let objects = 0;
  const stop = startClock();
  for (let n = 0; n < cycles; n++) {
    for (const [s, e, ds, de] of cycle.bounds) {
      if (ds === -1) {
        if (JSON.parse(buffer.toString("utf8", s, e))) objects++;
        continue;
      }
      if (JSON.parse(buffer.toString("utf8", s, ds) + buffer.toString("utf8", de, e))) objects++;
      bytes += Buffer.from(buffer.toString("latin1", ds, de), "base64").length;
    }
  }
  if (objects !== cycle.bounds.length * cycles) throw new Error("span baseline parsed too few objects");
  return { ...stop(), bytes };
}

const fmt = (n: number, digits = 0) => n.toFixed(digits).padStart(8);
const load = () => loadavg()[0]?.toFixed(2) ?? "?";

const rounds = Math.max(1, Number(process.env.BENCH_FRAMES_ROUNDS ?? 16));
console.log(
  `Frame reader benchmark: ${targetBytes / MIB} MiB decoded per frame size in ${rounds} alternating rounds (best round reported), ` +
    `${chunkSize}-byte chunks, node ${process.version}`,
);
console.log(
  "frame size | reader MiB/s | raw JSON.parse MiB/s | raw span MiB/s | ratio JSON.parse | ratio span | " +
    "cpu ratio span | frames/s (reader) | peak RSS growth MiB | load avg (start→end)",
);
for (const size of sizes) {
  const cycle = makeCycle(size);
  const cycles = Math.max(1, Math.round(targetBytes / cycle.data / rounds));
  // Warm-up (JIT) on a few cycles of each path.
  await runReader(cycle, 2);
  runRaw(cycle, 2);
  runRawSpan(cycle, 2);
  gc();
  const loadBefore = load();
  const base = process.memoryUsage.rss();
  const best = { reader: 0, raw: 0, span: 0, frames: 0, rss: 0 };
  // Process CPU seconds per path, summed over the rounds: less sensitive to other jobs than wall time.
  const cpu = { reader: 0, span: 0 };
  for (let r = 0; r < rounds; r++) {
    // Each path first runs one untimed cycle, so none is timed while collecting the garbage of the
    // path before it, and none starts from a heap a forced GC has just shrunk (that slows the reader's
    // promise-per-frame allocation far more than the raw loops).
    await runReader(cycle, 1);
    const reader = await runReader(cycle, cycles);
    runRaw(cycle, 1);
    const raw = runRaw(cycle, cycles);
    runRawSpan(cycle, 1);
    const span = runRawSpan(cycle, cycles);
    cpu.reader += reader.cpu;
    cpu.span += span.cpu;
    if (reader.bytes !== raw.bytes || span.bytes !== raw.bytes)
      throw new Error(`decoded ${reader.bytes} bytes, raw ${raw.bytes}, span ${span.bytes}`);
    best.reader = Math.max(best.reader, reader.bytes / MIB / reader.seconds);
    best.raw = Math.max(best.raw, raw.bytes / MIB / raw.seconds);
    best.span = Math.max(best.span, span.bytes / MIB / span.seconds);
    best.frames = Math.max(best.frames, reader.frames / reader.seconds);
    best.rss = Math.max(best.rss, reader.peak - base);
  }
  console.log(
    `${String(size).padStart(10)} | ${fmt(best.reader)}     | ${fmt(best.raw)}             | ${fmt(best.span)}       | ` +
      `${(best.reader / best.raw).toFixed(2)}             | ${(best.reader / best.span).toFixed(2)}       | ` +
      `${(cpu.span / cpu.reader).toFixed(2)}           | ${fmt(best.frames)}          | ${fmt(best.rss / MIB, 1)}            | ` +
      `${loadBefore}→${load()}`,
  );
}
