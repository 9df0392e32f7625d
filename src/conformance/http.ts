/**
 * Bounded reading of response bodies and the request/response excerpts that tests attach to the
 * report. A hostile target cannot make the suite read more than `maxBytes` or wait longer than
 * `timeoutMs` for a body.
 */
import { NomadTimeoutError } from "../client/errors.ts";
import { redact, redactHeaders } from "./redact.ts";
import type { Exchange } from "./types.ts";

/** A response read into memory (up to a bound). */
export interface ReadBody {
  status: number;
  headers: Headers;
  /** Content-Type as sent, or undefined when absent. */
  contentType: string | undefined;
  bytes: Uint8Array;
  /** The body decoded as UTF-8 (invalid sequences replaced). */
  text: string;
  /** True when the body was longer than the bound and cut. */
  truncated: boolean;
  /** True when reading stopped at `untilMs` before the body ended (streams). */
  partial: boolean;
}

/** Default bound on bodies read by the suite. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Bounds of {@link readBounded}. */
export interface ReadLimits {
  /** Stop (truncated) after this many bytes. */
  maxBytes?: number;
  /** Fail when the body has not ended after this long. */
  timeoutMs?: number;
  /** For streams: stop without error after this long and return what arrived (partial). */
  untilMs?: number;
  /** `METHOD /path` for the timeout message. */
  operation?: string;
}

/** Reads at most `maxBytes` of `response`'s body within the time bounds, then cancels the rest. */
export async function readBounded(
  response: Response,
  { maxBytes = MAX_BODY_BYTES, timeoutMs = 10_000, untilMs, operation = "reading the body" }: ReadLimits = {},
): Promise<ReadBody> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  let partial = false;
  if (maxBytes === 0) response.body?.cancel().catch(() => {});
  const reader = maxBytes > 0 ? response.body?.getReader() : undefined;
  if (reader) {
    let timer: NodeJS.Timeout | undefined;
    const stopAt = untilMs ?? timeoutMs;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), stopAt);
    });
    try {
      for (;;) {
        const next = await Promise.race([reader.read(), timeout]);
        if (next === "timeout" && untilMs !== undefined) {
          partial = true;
          break;
        }
        if (next === "timeout") {
          // A target that stalls mid-body answered too late (a failure), not a broken harness.
          const late = new NomadTimeoutError(operation, timeoutMs);
          late.message = `${operation}: the body did not end within ${timeoutMs} ms (read ${size} bytes)`;
          throw late;
        }
        if (next.done) break;
        chunks.push(next.value);
        size += next.value.byteLength;
        if (size > maxBytes) {
          truncated = true;
          break;
        }
      }
    } finally {
      clearTimeout(timer);
      // Not awaited: under msw a cancelled tee branch may never settle (mswjs/interceptors#712).
      reader.cancel().catch(() => {});
    }
  }
  const bytes = Buffer.concat(chunks).subarray(0, maxBytes);
  return {
    status: response.status,
    headers: response.headers,
    contentType: response.headers.get("content-type") ?? undefined,
    bytes,
    text: new TextDecoder().decode(bytes),
    truncated,
    partial,
  };
}

const EXCERPT = 2048;

/** An exchange excerpt for the report, secrets redacted, bodies cut to 2 KiB. */
export function excerpt(request: Request, body: ReadBody | undefined, error?: unknown): Exchange {
  const ex: Exchange = {
    request: { method: request.method, url: redact(request.url), headers: redactHeaders(request.headers) },
  };
  if (body) {
    ex.response = {
      status: body.status,
      headers: redactHeaders(body.headers),
      body: redact(body.text).slice(0, EXCERPT),
      truncated: body.truncated || body.text.length > EXCERPT,
    };
  }
  if (error !== undefined) ex.error = redact(error instanceof Error ? error.message : String(error));
  return ex;
}
