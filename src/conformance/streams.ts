/**
 * Frames of a (possibly partial) stream response, decoded by the client's frame reader, for the
 * stream behaviours: data frames, heartbeats, and the decoded text.
 */
import { type Frame, FrameSplitter, isHeartbeat } from "../client/index.ts";
import type { CallResult } from "./exchange.ts";

/** What a stream carried. */
export interface StreamContent {
  frames: Frame[];
  data: Frame[];
  heartbeats: number;
  /** All Data bytes concatenated. */
  bytes: Buffer;
  /** Set when the bytes are not well-formed frames. */
  error: string | undefined;
}

/** Splits and decodes the frames of `res`. */
export function framesOf(res: CallResult): StreamContent {
  const splitter = new FrameSplitter();
  const frames = splitter.push(res.bytes);
  let error = splitter.takeError()?.message;
  if (!error && !res.partial && !res.truncated) {
    try {
      splitter.end();
    } catch (e) {
      error = (e as Error).message;
    }
  }
  const data = frames.filter((f) => !isHeartbeat(f));
  return {
    frames,
    data,
    heartbeats: frames.length - data.length,
    bytes: Buffer.concat(data.map((f) => f.Data)),
    error,
  };
}
