/**
 * Parsing and validation of one encoded `StreamFrame` (the bytes of one JSON object): every key and
 * type is checked and `Data` is strictly base64-decoded. Two paths give the same frame or none:
 * `parseFrame` (JSON.parse of the whole frame) and `parseFrameSpan`, which decodes the `Data` string
 * straight from the bytes and JSON-parses only the rest; on any doubt it declines and the caller
 * falls back to `parseFrame`, which then reports the error.
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

const EMPTY = new Uint8Array(0);

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

/** A frame-level error with the frame's index and stream offset. */
export function frameError(
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

/**
 * Checks a parsed value key by key. `data`, when given, is the already decoded `Data` (its JSON
 * value was replaced by `""`). Returns the frame, or the problem as a message.
 */
function toFrame(raw: unknown, data?: Buffer): Frame | string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "not a JSON object";
  const obj = raw as Record<string, unknown>;
  const frame: Frame = { Offset: 0, Data: EMPTY, File: "", FileEvent: "" };
  for (const key in obj) {
    const value = obj[key];
    switch (key) {
      case "Offset":
        if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
          return `Offset must be a non-negative integer, got ${JSON.stringify(value)}`;
        }
        frame.Offset = value;
        break;
      case "Data": {
        if (typeof value !== "string") return `Data must be a string, got ${typeof value}`;
        const bytes = data ?? decodeBase64Strict(value);
        if (!bytes) return `Data is not valid base64 (${value.length} characters)`;
        frame.Data = bytes;
        break;
      }
      case "File":
      case "FileEvent":
        if (typeof value !== "string") return `${key} must be a string, got ${typeof value}`;
        frame[key] = value;
        break;
      default:
        return `unknown key ${JSON.stringify(key)}`;
    }
  }
  return frame;
}

/** Parses and validates one encoded frame (the text of one JSON object). */
export function parseFrame(text: string, index = 0, offset = 0): Frame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const head = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    throw frameError(index, offset, `invalid JSON (${(error as Error).message}): ${head}`, error);
  }
  const frame = toFrame(raw);
  if (typeof frame === "string") throw frameError(index, offset, frame);
  return frame;
}

/**
 * Fast path for `bytes[start, end)`, a frame whose one and only `Data` key has the string value
 * `bytes[dataStart, dataEnd)` (between its quotes; the splitter found it). The value is decoded
 * from its latin1 text: it passes the strict base64 check only if it is pure base64 alphabet, and
 * then its JSON value is that text. The rest, with the value replaced by `""`, is JSON-parsed and
 * validated; replacing one string token by another keeps invalid JSON invalid. Returns undefined
 * when anything is wrong, so the caller's `parseFrame` gives the exact error.
 */
export function parseFrameSpan(
  bytes: Buffer,
  start: number,
  end: number,
  dataStart: number,
  dataEnd: number,
): Frame | undefined {
  const data = decodeBase64Strict(bytes.toString("latin1", dataStart, dataEnd));
  if (!data) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString("utf8", start, dataStart) + bytes.toString("utf8", dataEnd, end));
  } catch {
    return undefined;
  }
  const frame = toFrame(raw, data);
  return typeof frame === "string" ? undefined : frame;
}
