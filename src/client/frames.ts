/**
 * The agent's stream format: `StreamFrame` JSON objects written back to back with no separator
 * (`{"Data":"…","FileEvent":"log"}{}{…}`), `{}` heartbeats about once a second, frames cut anywhere
 * across network chunks. `FrameSplitter` finds object boundaries in bytes (string- and escape-aware),
 * then each frame is parsed, checked key by key and its `Data` strictly base64-decoded.
 * @see client/lib/streamframer/framer.go (StreamFrame, IsHeartbeat) in the Nomad repository
 */
import { Buffer } from "node:buffer";
import { NomadMalformedResponseError } from "./errors.ts";

/** A decoded frame. Absent keys take Go's zero values, as `api.StreamFrame` does. */
export interface Frame {
  Offset: number;
  Data: Uint8Array;
  File: string;
  FileEvent: string;
}

/** Go `StreamFrame.IsHeartbeat`: every field zero. */
export function isHeartbeat(frame: Frame): boolean {
  return frame.Offset === 0 && frame.Data.length === 0 && frame.File === "" && frame.FileEvent === "";
}

/** Default largest encoded frame: Nomad's fs frames carry ≤ 64 KiB of data (≈ 88 KiB of JSON). */
export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;

const EMPTY = new Uint8Array(0);
const OPEN = 0x7b;
const CLOSE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function describeByte(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `0x${b.toString(16).padStart(2, "0")}`;
}

/**
 * Strict standard base64 (padded, no whitespace, no URL alphabet). Node's decoder skips or stops at
 * bad characters, which always yields fewer bytes than the length promises, so a length check plus
 * a check for `-`/`_` (which Node accepts) is exact.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const n = text.length;
  if (n % 4 !== 0) return undefined;
  if (n === 0) return Buffer.alloc(0);
  const pad = text.charCodeAt(n - 1) === 0x3d ? (text.charCodeAt(n - 2) === 0x3d ? 2 : 1) : 0;
  const bytes = Buffer.from(text, "base64");
  if (bytes.length !== (n / 4) * 3 - pad) return undefined;
  if (text.indexOf("-") !== -1 || text.indexOf("_") !== -1) return undefined;
  return bytes;
}

function frameError(
  index: number,
  offset: number,
  message: string,
  cause?: unknown,
): NomadMalformedResponseError {
  return new NomadMalformedResponseError(`stream frame #${index} at byte ${offset}: ${message}`, {
    offset,
    cause,
  });
}

/** Parses and validates one encoded frame (the bytes of one JSON object). */
export function parseFrame(text: string, index = 0, offset = 0): Frame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const head = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    throw frameError(index, offset, `invalid JSON (${(error as Error).message}): ${head}`, error);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw frameError(index, offset, "not a JSON object");
  }
  const obj = raw as Record<string, unknown>;
  const frame: Frame = { Offset: 0, Data: EMPTY, File: "", FileEvent: "" };
  for (const key in obj) {
    const value = obj[key];
    switch (key) {
      case "Offset":
        if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
          throw frameError(
            index,
            offset,
            `Offset must be a non-negative integer, got ${JSON.stringify(value)}`,
          );
        }
        frame.Offset = value;
        break;
      case "Data": {
        if (typeof value !== "string")
          throw frameError(index, offset, `Data must be a string, got ${typeof value}`);
        const bytes = decodeBase64Strict(value);
        if (!bytes) throw frameError(index, offset, `Data is not valid base64 (${value.length} characters)`);
        frame.Data = bytes;
        break;
      }
      case "File":
      case "FileEvent":
        if (typeof value !== "string")
          throw frameError(index, offset, `${key} must be a string, got ${typeof value}`);
        frame[key] = value;
        break;
      default:
        throw frameError(index, offset, `unknown key ${JSON.stringify(key)}`);
    }
  }
  return frame;
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
            if (k % 2 === 0) this.inString = false;
          }
          continue;
        }
        const b = chunk[i] as number;
        if (this.depth === 0) {
          if (b === OPEN) {
            this.depth = 1;
            start = i;
            this.frameStart = this.consumed + i;
          } else if (!isSpace(b)) {
            throw frameError(this.frames, this.consumed + i, `unexpected ${describeByte(b)} between frames`);
          }
          i++;
          continue;
        }
        if (b === QUOTE) this.inString = true;
        else if (b === OPEN) this.depth++;
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

  private keep(piece: Buffer): void {
    this.pieceBytes += piece.length;
    if (this.pieceBytes > this.maxFrameBytes) {
      throw frameError(this.frames, this.frameStart, `frame larger than ${this.maxFrameBytes} bytes`);
    }
    this.pieces.push(piece);
  }

  private finish(chunk: Buffer, start: number, end: number): Frame {
    let text: string;
    if (this.pieces.length === 0) {
      text = chunk.toString("utf8", start, end);
    } else {
      this.keep(chunk.subarray(0, end));
      // Copy into one reused scratch buffer: a fresh Buffer per frame costs more in GC than the parse.
      if (this.scratch.length < this.pieceBytes)
        this.scratch = Buffer.allocUnsafe(Math.max(this.pieceBytes, this.scratch.length * 2));
      let at = 0;
      for (const piece of this.pieces) at += piece.copy(this.scratch, at);
      text = this.scratch.toString("utf8", 0, at);
      this.pieces = [];
      this.pieceBytes = 0;
    }
    return parseFrame(text, this.frames++, this.frameStart);
  }
}
