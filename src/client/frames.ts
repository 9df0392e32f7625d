/**
 * The agent's stream format: `StreamFrame` JSON objects written back to back with no separator
 * (`{"Data":"…","FileEvent":"log"}{}{…}`), `{}` heartbeats about once a second, frames cut anywhere
 * across network chunks. `FrameSplitter` finds object boundaries in bytes (string- and escape-aware,
 * jumping over string contents with `Buffer.indexOf`) and, on the way, the byte span of the frame's
 * `Data` string, so the large base64 text is decoded once from the bytes instead of being copied
 * through `JSON.parse` first (see `parseFrameSpan`). Every frame is still fully validated.
 * @see client/lib/streamframer/framer.go (StreamFrame, IsHeartbeat) in the Nomad repository
 */
import { Buffer } from "node:buffer";
import type { NomadMalformedResponseError } from "./errors.ts";
import { type Frame, frameError, parseFrame, parseFrameSpan } from "./frame-parse.ts";

export { decodeBase64Strict, type Frame, isHeartbeat, parseFrame } from "./frame-parse.ts";

/** Default largest encoded frame: Nomad's fs frames carry ≤ 64 KiB of data (≈ 88 KiB of JSON). */
export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;

/**
 * Smallest `Data` string (in bytes) decoded straight from the bytes: below it one `JSON.parse` of the
 * whole frame is cheaper than the extra slicing (measured crossover ≈ 384 decoded bytes).
 */
export const SPAN_MIN_BYTES = 512;

const OPEN = 0x7b;
const CLOSE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/** What the last string at depth 1 was, if it turns out to be a key: */
const OTHER = 0; // not "Data" (or a value)
const DATA = 1; // exactly the bytes `Data`
const UNSURE = 2; // might decode to "Data" (escapes) or could not be inspected (cut across chunks)

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function describeByte(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `0x${b.toString(16).padStart(2, "0")}`;
}

/** Kind of the key string `chunk[from, to)`; escapes only lengthen, so "Data" takes 4–24 bytes. */
function keyKind(chunk: Buffer, from: number, to: number, local: boolean): number {
  const n = to - from;
  if (n < 4 || n > 24) return OTHER;
  if (!local) return UNSURE;
  if (n === 4) {
    return chunk[from] === 0x44 &&
      chunk[from + 1] === 0x61 &&
      chunk[from + 2] === 0x74 &&
      chunk[from + 3] === 0x61
      ? DATA
      : OTHER;
  }
  for (let i = from; i < to; i++) if (chunk[i] === BACKSLASH) return UNSURE;
  return OTHER;
}

/**
 * Incremental splitter: `push(chunk)` returns the frames completed by that chunk; `end()` checks
 * that the stream did not stop inside a frame. Errors are deferred until the frames before them
 * have been handed out (`takeError()`), so valid frames are never lost and garbage never yielded.
 */
export class FrameSplitter {
  /** Bytes consumed so far (stream offset of the next chunk). */
  private consumed = 0;
  private frames = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Pieces of the frame in progress from earlier chunks, and their total size. */
  private pieces: Buffer[] = [];
  private pieceBytes = 0;
  private frameStart = 0;
  private scratch = Buffer.allocUnsafe(128 * 1024);
  private error: NomadMalformedResponseError | undefined;
  // The `Data` value of the frame in progress (stream offsets), found while splitting.
  /** Stream offset of the opening quote of the current (or last) string. */
  private stringAt = 0;
  /** The current string is the value of a `Data` key. */
  private stringIsData = false;
  /** Kind of the depth-1 string just closed, until the next token (-1: the last token was no string). */
  private lastString = -1;
  /** A `Data` key and its colon were seen: the next token is its value. */
  private dataNext = false;
  private dataCount = 0;
  private dataStart = 0;
  private dataEnd = 0;
  /** The frame must take the plain `parseFrame` path. */
  private unsure = false;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Returns (and clears) the error found after the last returned frame, if any. */
  takeError(): NomadMalformedResponseError | undefined {
    const e = this.error;
    this.error = undefined;
    return e;
  }

  push(input: Uint8Array, out: Frame[] = []): Frame[] {
    if (this.error) return out;
    const chunk = Buffer.isBuffer(input)
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const len = chunk.length;
    let start = this.depth > 0 ? 0 : -1;
    /** Opening quote of the current string in this chunk; -1 if it opened in an earlier chunk. */
    let open = -1;
    let i = 0;
    try {
      while (i < len) {
        if (this.inString) {
          if (this.escaped) {
            this.escaped = false;
            i++;
            continue;
          }
          const q = chunk.indexOf(QUOTE, i);
          const stop = q === -1 ? len : q;
          let k = 0;
          while (stop - 1 - k >= i && chunk[stop - 1 - k] === BACKSLASH) k++;
          if (q === -1) {
            this.escaped = k % 2 === 1;
            i = len;
          } else {
            i = q + 1;
            if (k % 2 === 0) {
              this.inString = false;
              if (this.depth === 1) this.closeString(chunk, open, q);
            }
          }
          continue;
        }
        const b = chunk[i] as number;
        if (this.depth === 0) {
          if (b === OPEN) {
            this.depth = 1;
            start = i;
            this.startFrame(this.consumed + i);
          } else if (!isSpace(b)) {
            throw frameError(this.frames, this.consumed + i, `unexpected ${describeByte(b)} between frames`);
          }
          i++;
          continue;
        }
        if (isSpace(b)) {
          i++;
          continue;
        }
        if (this.depth === 1) this.token(b);
        if (b === QUOTE) {
          this.inString = true;
          open = i;
          this.stringAt = this.consumed + i;
        } else if (b === OPEN) this.depth++;
        else if (b === CLOSE && --this.depth === 0) {
          out.push(this.finish(chunk, start, i + 1));
          start = -1;
        }
        i++;
      }
      if (this.depth > 0) this.keep(chunk.subarray(Math.max(start, 0)));
    } catch (error) {
      this.error = error as NomadMalformedResponseError;
    }
    this.consumed += len;
    return out;
  }

  /** Call at end of input: records an error if the stream stopped inside a frame. */
  end(): void {
    if (!this.error && this.depth > 0) {
      this.error = frameError(
        this.frames,
        this.frameStart,
        `stream ended inside a frame (${this.pieceBytes} bytes of an unterminated ${this.inString ? "string" : "object"})`,
      );
    }
  }

  private startFrame(at: number): void {
    this.frameStart = at;
    this.stringIsData = false;
    this.lastString = -1;
    this.dataNext = false;
    this.dataCount = 0;
    this.unsure = false;
  }

  /** A non-space byte outside strings at depth 1: tracks `"Data" :` followed by a string. */
  private token(b: number): void {
    if (this.dataNext) {
      this.dataNext = false;
      if (b === QUOTE) this.stringIsData = true;
      else this.unsure = true;
    } else if (b === COLON && this.lastString !== -1) {
      if (this.lastString === DATA) this.dataNext = true;
      else if (this.lastString === UNSURE) this.unsure = true;
    }
    this.lastString = -1;
  }

  /** A depth-1 string closed at `chunk[q]`; it opened at `chunk[open]` (or in an earlier chunk). */
  private closeString(chunk: Buffer, open: number, q: number): void {
    const end = this.consumed + q;
    if (this.stringIsData) {
      this.stringIsData = false;
      this.dataCount++;
      this.dataStart = this.stringAt + 1;
      this.dataEnd = end;
      this.lastString = OTHER;
      return;
    }
    this.lastString =
      open === -1 ? keyKind(chunk, 0, end - this.stringAt - 1, false) : keyKind(chunk, open + 1, q, true);
  }

  private keep(piece: Buffer): void {
    this.pieceBytes += piece.length;
    if (this.pieceBytes > this.maxFrameBytes) {
      throw frameError(this.frames, this.frameStart, `frame larger than ${this.maxFrameBytes} bytes`);
    }
    this.pieces.push(piece);
  }

  private finish(chunk: Buffer, start: number, end: number): Frame {
    let bytes = chunk;
    let from = start;
    let to = end;
    if (this.pieces.length > 0) {
      this.keep(chunk.subarray(0, end));
      // Copy into one reused scratch buffer: a fresh Buffer per frame costs more in GC than the parse.
      if (this.scratch.length < this.pieceBytes)
        this.scratch = Buffer.allocUnsafe(Math.max(this.pieceBytes, this.scratch.length * 2));
      let at = 0;
      for (const piece of this.pieces) at += piece.copy(this.scratch, at);
      this.pieces = [];
      this.pieceBytes = 0;
      bytes = this.scratch;
      from = 0;
      to = at;
    }
    const index = this.frames++;
    if (this.dataCount === 1 && !this.unsure && this.dataEnd - this.dataStart >= SPAN_MIN_BYTES) {
      const shift = from - this.frameStart;
      const frame = parseFrameSpan(bytes, from, to, this.dataStart + shift, this.dataEnd + shift);
      if (frame) return frame;
    }
    return parseFrame(bytes.toString("utf8", from, to), index, this.frameStart);
  }
}
