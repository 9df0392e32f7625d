/**
 * `call()`: one request to the target through the typed client, its body read with a bound, and an
 * excerpt (secrets redacted) recorded on the running behaviour for the reports.
 */
import { createNomadClient, type NomadClient } from "../client/index.ts";
import { activeMeta } from "./behaviour.ts";
import { excerpt, type ReadBody, readBounded } from "./http.ts";
import { addSecret, redact } from "./redact.ts";
import { getTarget } from "./target.ts";

/** Which token a request carries: the suite's own (default), none, or a given secret. */
export type TokenChoice = "suite" | "anonymous" | { secret: string };

/** Options of {@link call}. */
export interface CallInit {
  token?: TokenChoice;
  /** Values for `{placeholders}` in the path template. */
  path?: Record<string, string>;
  /** Query parameters; arrays are repeated (`a=1&a=2`). */
  query?: Record<string, string | number | boolean | string[] | undefined>;
  /** A JSON body (serialised) or a raw string body. */
  body?: unknown;
  headers?: Record<string, string>;
  maxBytes?: number;
  /** Bound on reading the body (defaults to the target's timeout). */
  bodyTimeoutMs?: number;
  /** For streams: stop reading after this long and keep what arrived. */
  untilMs?: number;
  /** Only the status and headers matter: the body is not read. */
  statusOnly?: boolean;
}

/** A completed exchange: the request as sent and the bounded body. */
export interface CallResult extends ReadBody {
  request: Request;
  /** The body parsed as JSON when it parses, else undefined. */
  json: unknown;
}

const clients = new Map<string, NomadClient>();
const sent = new WeakMap<Response, Request>();
/** openapi-fetch reads non-2xx bodies itself; the suite reads its own copy of those. */
const copies = new WeakMap<Response, Response>();

/** Whether `bytes` are well-formed UTF-8 (the decoder in `text` replaces bad sequences with U+FFFD). */
function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The typed client for a token choice (cached per target and token). */
export function clientFor(token: TokenChoice = "suite"): NomadClient {
  const t = getTarget();
  const secret = token === "suite" ? t.token : token === "anonymous" ? undefined : token.secret;
  addSecret(secret);
  const key = `${t.address}\u0000${secret ?? ""}`;
  let client = clients.get(key);
  if (!client) {
    client = createNomadClient({
      address: t.address,
      token: secret,
      timeoutMs: t.timeoutMs,
      // Without a token of its own the client must not fall back to NOMAD_TOKEN.
      env: { ...process.env, NOMAD_TOKEN: undefined, NOMAD_REGION: undefined, NOMAD_NAMESPACE: undefined },
    });
    client.use({
      onResponse({ request, response }) {
        sent.set(response, request);
        if (!response.ok) copies.set(response, response.clone());
      },
    });
    clients.set(key, client);
  }
  return client;
}

/** Sends `method path` and reads the answer (bounded); records the excerpt on the running behaviour. */
export async function call(method: string, path: string, init: CallInit = {}): Promise<CallResult> {
  const t = getTarget();
  const client = clientFor(init.token);
  const isString = typeof init.body === "string";
  const options = {
    params: { path: init.path ?? {}, query: init.query ?? {} },
    parseAs: "stream",
    // identity: the agent gzips even empty bodies when asked, which changes their Content-Type.
    headers: {
      "Accept-Encoding": "identity",
      ...(isString ? { "Content-Type": "text/plain" } : {}),
      ...init.headers,
    },
    ...(init.body === undefined
      ? {}
      : isString
        ? { body: init.body, bodySerializer: (b: string) => b }
        : { body: init.body }),
  };
  const meta = activeMeta();
  const placeholder = new Request(
    new URL(
      path.replace(/\{(\w+)\}/g, (_, k) => init.path?.[k] ?? `{${k}}`),
      t.address,
    ),
    {
      method,
    },
  );
  let result: { response: Response };
  try {
    // biome-ignore lint/suspicious/noExplicitAny: methods outside the spec (wrong-method checks) are intended
    result = await (client as any).request(method.toLowerCase(), path, options);
  } catch (error) {
    meta?.exchanges.push(excerpt(placeholder, undefined, error));
    throw error;
  }
  const request = sent.get(result.response) ?? placeholder;
  let body: ReadBody;
  try {
    body = await readBounded(copies.get(result.response) ?? result.response, {
      maxBytes: init.statusOnly ? 0 : init.maxBytes,
      timeoutMs: init.bodyTimeoutMs ?? t.timeoutMs,
      untilMs: init.untilMs,
      operation: `${method.toUpperCase()} ${path}`,
    });
  } catch (error) {
    meta?.exchanges.push(excerpt(request, undefined, error));
    throw error;
  }
  let json: unknown;
  // JSON is UTF-8 (RFC 8259): a body with invalid sequences is not JSON, even if it parses once replaced.
  if (body.text.length > 0 && (!body.text.includes("\uFFFD") || isUtf8(body.bytes))) {
    try {
      json = JSON.parse(body.text);
    } catch {
      json = undefined;
    }
  }
  // Secrets minted by the agent (ACL tokens) are registered before anything is recorded.
  for (const m of body.text.matchAll(/"SecretID"\s*:\s*"([^"]+)"/g)) addSecret(m[1]);
  meta?.exchanges.push(excerpt(request, body));
  return { ...body, request, json };
}

/**
 * The JSON body of `res`, or a failure of the running behaviour (not a harness error) when the
 * target answered something that is not JSON.
 */
export function jsonOf<T>(res: CallResult): T {
  if (res.json === undefined || res.json === null || typeof res.json !== "object") {
    const e = new Error(
      `${res.request.method} ${new URL(res.request.url).pathname}: expected a JSON object or array, got ${res.status} ${printable(redact(res.text).slice(0, 120))}`,
    );
    e.name = "AssertionError";
    throw e;
  }
  return res.json as T;
}

/** Text safe for a terminal: control characters and undecodable bytes shown as escapes. */
export function printable(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    if ((code < 0x20 && c !== "\n" && c !== "\t") || code === 0x7f)
      out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (c === "\ufffd") out += "\\ufffd";
    else out += c;
  }
  return out;
}
