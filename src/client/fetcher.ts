/**
 * The fetch function handed to openapi-fetch. It looks the transport up at call time (so msw started
 * after the client still intercepts), applies the timeout, buffers ordinary bodies under that
 * timeout, and turns every failure into a `NomadError` subclass with the token redacted.
 */
import type { NomadConfig } from "./config.ts";
import {
  NomadAbortError,
  NomadApiError,
  NomadError,
  NomadMalformedResponseError,
  NomadNetworkError,
  NomadTimeoutError,
  NomadTlsError,
  redact,
} from "./errors.ts";
import type { Transport } from "./transport.ts";

/** What the middleware knows about a request that the fetch function needs. */
export interface RequestContext {
  /** `METHOD /v1/path/{template}`. */
  operation: string;
  /** openapi-fetch `parseAs`; `stream` keeps the body open after the headers. */
  parseAs: string;
}

/** Filled by the middleware for the final Request object; missing entries fall back to the URL. */
export const requestContexts = new WeakMap<Request, RequestContext>();

/**
 * The platform fetch, looked up on every call. Redirects are not followed (like the `node:http`
 * transport): a hostile target could otherwise loop, or send the X-Nomad-Token to another origin.
 */
export const globalTransport: Transport = (request, init) =>
  globalThis.fetch(request, { ...init, redirect: "manual" });

const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO$)/;
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
/** Bound on a buffered error (non-2xx) body: Nomad's are one line of text; the rest is dropped. */
export const MAX_ERROR_BODY_BYTES = 1024 * 1024;

/** Reads at most `max` bytes of `response`'s body, then cancels the rest. */
async function readAtMost(response: Response, max: number): Promise<ArrayBuffer> {
  const reader = response.body?.getReader();
  if (!reader) return new ArrayBuffer(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const next = await reader.read();
      if (next.done) break;
      chunks.push(next.value);
      size += next.value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const out = new Uint8Array(Math.min(size, max));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, out.length - at);
    out.set(part, at);
    at += part.length;
  }
  return out.buffer;
}

function causeWithCode(error: unknown): { code: string | undefined; message: string } {
  let current: unknown = error;
  let message = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === "string") return { code, message: current.message };
    message = current.message;
    current = current.cause;
  }
  return { code: undefined, message };
}

/** Maps a transport or body-read failure to the matching NomadError. */
export function mapFailure(
  error: unknown,
  context: { operation: string; timeoutMs: number; timedOut: boolean; signal: AbortSignal; token?: string },
): NomadError {
  if (error instanceof NomadError) return error;
  const { operation, token } = context;
  if (context.timedOut) return new NomadTimeoutError(operation, context.timeoutMs, error);
  if (context.signal.aborted) {
    const reason: unknown = context.signal.reason;
    if (reason instanceof DOMException && reason.name === "TimeoutError") {
      return new NomadTimeoutError(operation, undefined, reason);
    }
    return new NomadAbortError(operation, reason);
  }
  const { code, message } = causeWithCode(error);
  const detail = redact(code && !message.includes(code) ? `${message} (${code})` : message, [token]);
  // Node reports a peer that hangs up mid-handshake (e.g. rejecting our client certificate) as ECONNRESET.
  if ((code && TLS_CODE.test(code)) || /before secure TLS connection/.test(message)) {
    return new NomadTlsError(operation, detail, code, error);
  }
  return new NomadNetworkError(operation, detail, code, error);
}

function contextOf(request: Request): RequestContext {
  const known = requestContexts.get(request);
  if (known) return known;
  return { operation: `${request.method} ${new URL(request.url).pathname}`, parseAs: "json" };
}

/** Creates the fetch function for a client. `transport` defaults to the late-bound global fetch. */
export function createFetch(config: NomadConfig, transport: Transport = globalTransport) {
  return async function nomadFetch(request: Request): Promise<Response> {
    const { operation, parseAs } = contextOf(request);
    const path = new URL(request.url).pathname;
    const timer = new AbortController();
    let timedOut = false;
    const timeout = setTimeout(() => {
      timedOut = true;
      timer.abort(new DOMException(`${operation} timed out`, "TimeoutError"));
    }, config.timeoutMs);
    const fail = (error: unknown) =>
      mapFailure(error, {
        operation,
        timeoutMs: config.timeoutMs,
        timedOut,
        signal: request.signal,
        ...(config.token ? { token: config.token } : {}),
      });
    try {
      const signal = AbortSignal.any([request.signal, timer.signal]);
      const response = await transport(request, { signal });
      if (parseAs === "stream" && response.ok) return response;
      const body = NULL_BODY_STATUS.has(response.status)
        ? null
        : response.ok
          ? await response.arrayBuffer()
          : await readAtMost(response, MAX_ERROR_BODY_BYTES);
      if (!response.ok && config.throwOnError) {
        const text = redact(new TextDecoder().decode(body ?? new ArrayBuffer(0)), [config.token]);
        throw new NomadApiError({
          operation,
          method: request.method,
          path,
          status: response.status,
          body: text,
        });
      }
      if (response.ok && parseAs === "json" && body && body.byteLength > 0) {
        try {
          JSON.parse(new TextDecoder().decode(body));
        } catch (error) {
          throw new NomadMalformedResponseError(`response body is not JSON (${(error as Error).message})`, {
            operation,
            cause: error,
          });
        }
      }
      return new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      throw fail(error);
    } finally {
      clearTimeout(timeout);
    }
  };
}
