/**
 * Error classes of the Nomad client. Every error the client throws is a `NomadError` with a stable
 * `code`, so callers (e.g. the CLI) can map it to an exit code without parsing messages.
 * Note: messages never contain the ACL token; `redact()` scrubs it from any text we did not write.
 */

/** Stable machine-readable error kinds. */
export type NomadErrorCode =
  | "api"
  | "timeout"
  | "aborted"
  | "network"
  | "tls"
  | "malformed-response"
  | "config";

/** Where a request went: `operation` is `METHOD /v1/path/{template}` when known. */
export interface RequestInfo {
  operation: string;
  method: string;
  /** The request URL path (placeholders filled in, no query). */
  path: string;
}

/** Replaces every occurrence of each secret in `text` with `<redacted>`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join("<redacted>");
  }
  return out;
}

/** Base class: `instanceof NomadError` catches everything the client throws on purpose. */
export class NomadError extends Error {
  readonly code: NomadErrorCode;
  readonly operation: string | undefined;

  constructor(code: NomadErrorCode, message: string, options?: { cause?: unknown; operation?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.operation = options?.operation;
  }
}

/** The agent answered with a non-2xx status. `body` is the agent's error text (token redacted). */
export class NomadApiError extends NomadError {
  readonly status: number;
  readonly body: string;
  readonly method: string;
  readonly path: string;

  constructor(info: RequestInfo & { status: number; body: string }) {
    const text = info.body.length > 500 ? `${info.body.slice(0, 500)}…` : info.body;
    super("api", `${info.operation} (${info.path}): ${info.status}${text ? ` ${text}` : ""}`, {
      operation: info.operation,
    });
    this.status = info.status;
    this.body = info.body;
    this.method = info.method;
    this.path = info.path;
  }
}

/** The request (or the body read of a non-streaming request) did not finish within `timeoutMs`. */
export class NomadTimeoutError extends NomadError {
  readonly timeoutMs: number | undefined;

  constructor(operation: string, timeoutMs: number | undefined, cause?: unknown) {
    super("timeout", `${operation}: timed out${timeoutMs === undefined ? "" : ` after ${timeoutMs} ms`}`, {
      operation,
      cause,
    });
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired. */
export class NomadAbortError extends NomadError {
  constructor(operation: string, cause?: unknown) {
    super("aborted", `${operation}: aborted`, { operation, cause });
  }
}

/** The agent could not be reached or the connection broke (refused, DNS, reset, socket missing). */
export class NomadNetworkError extends NomadError {
  /** The system error code when known (`ECONNREFUSED`, `ENOTFOUND`, `ENOENT`, `UND_ERR_SOCKET`…). */
  readonly errno: string | undefined;

  constructor(operation: string, detail: string, errno: string | undefined, cause?: unknown) {
    super("network", `${operation}: network error: ${detail}`, { operation, cause });
    this.errno = errno;
  }
}

/** The TLS handshake failed (unknown CA, name mismatch, client certificate refused, …). */
export class NomadTlsError extends NomadError {
  /** The OpenSSL/Node error code when known (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, …). */
  readonly errno: string | undefined;

  constructor(operation: string, detail: string, errno: string | undefined, cause?: unknown) {
    super("tls", `${operation}: TLS error: ${detail}`, { operation, cause });
    this.errno = errno;
  }
}

/** The agent's answer could not be understood: invalid JSON, a bad stream frame, invalid base64. */
export class NomadMalformedResponseError extends NomadError {
  /** Byte offset in the stream where the problem was found, for stream errors. */
  readonly offset: number | undefined;

  constructor(message: string, options?: { operation?: string; offset?: number; cause?: unknown }) {
    super("malformed-response", options?.operation ? `${options.operation}: ${message}` : message, options);
    this.offset = options?.offset;
  }
}

/** An option or environment variable has an invalid value. `setting` names it (e.g. `NOMAD_ADDR`). */
export class NomadConfigError extends NomadError {
  readonly setting: string;

  constructor(setting: string, message: string, cause?: unknown) {
    super("config", `${setting}: ${message}`, { cause });
    this.setting = setting;
  }
}
