/**
 * UTF-8 text from streams. The agent cuts frame data at arbitrary byte offsets, also inside a
 * multi-byte character, so text must be decoded with one streaming decoder across frames (decoding
 * each frame on its own produces U+FFFD at the cuts).
 */
import { NomadMalformedResponseError } from "./errors.ts";
import type { Frame } from "./frames.ts";

export interface TextOptions {
  /** Fail on invalid UTF-8 instead of substituting U+FFFD. Default false. */
  fatal?: boolean;
}

function isFrame(item: Frame | Uint8Array): item is Frame {
  return !(item instanceof Uint8Array);
}

/**
 * Decodes the bytes of frames (their `Data`) or of plain chunks as one UTF-8 text, yielding each
 * non-empty piece as it becomes complete. Breaking out of the loop closes the source.
 */
export async function* decodeText(
  source: AsyncIterable<Frame | Uint8Array>,
  options: TextOptions = {},
): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder("utf-8", { fatal: options.fatal ?? false });
  const decode = (bytes?: Uint8Array) => {
    try {
      return bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream: true });
    } catch (error) {
      throw new NomadMalformedResponseError("stream data is not valid UTF-8", { cause: error });
    }
  };
  for await (const item of source) {
    const text = decode(isFrame(item) ? item.Data : item);
    if (text) yield text;
  }
  const rest = decode();
  if (rest) yield rest;
}

/** Collects a whole text stream into one string (for bounded reads). */
export async function collectText(source: AsyncIterable<string>): Promise<string> {
  let out = "";
  for await (const piece of source) out += piece;
  return out;
}
