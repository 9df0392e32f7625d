/**
 * Connection settings, resolved like the Nomad CLI (`api.DefaultConfig`): explicit options first,
 * then the NOMAD_* environment variables, then defaults. Invalid values throw `NomadConfigError`.
 * @see https://developer.hashicorp.com/nomad/docs/commands#environment-variables
 */
import { NomadConfigError } from "./errors.ts";
import { type NomadTlsOptions, type ResolvedTls, resolveTls } from "./tls.ts";

export const DEFAULT_ADDRESS = "http://127.0.0.1:4646";
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Largest delay `setTimeout` accepts. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** Options of `createNomadClient`. Every field falls back to its environment variable. */
export interface NomadClientOptions {
  /** Agent address: `http://host:port`, `https://host:port` or `unix:///path/to.sock` (NOMAD_ADDR). */
  address?: string;
  /** ACL token sent as `X-Nomad-Token` (NOMAD_TOKEN). */
  token?: string;
  /** Default `region` query parameter (NOMAD_REGION). */
  region?: string;
  /** Default `namespace` query parameter (NOMAD_NAMESPACE). */
  namespace?: string;
  tls?: NomadTlsOptions;
  /**
   * Per-request timeout in ms (default 60 000). Covers the whole exchange for ordinary requests and
   * the wait for the response headers for streams (`parseAs: "stream"`).
   */
  timeoutMs?: number;
  /** Throw `NomadApiError` for non-2xx answers instead of returning `{ error, response }`. */
  throwOnError?: boolean;
  /** Environment to read instead of `process.env` (tests, embedding). */
  env?: Record<string, string | undefined>;
}

/** The resolved settings a client runs with. */
export interface NomadConfig {
  /** The address as given (credentials removed), for messages and reports. */
  address: string;
  /** Base URL for requests: the origin, or `http://localhost` for a unix socket. */
  baseUrl: string;
  socketPath: string | undefined;
  token: string | undefined;
  region: string | undefined;
  namespace: string | undefined;
  /** TLS settings; only used for `https://` addresses. */
  tls: ResolvedTls | undefined;
  timeoutMs: number;
  throwOnError: boolean;
}

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Go `strconv.ParseBool`, which Nomad uses for NOMAD_SKIP_VERIFY. */
export function parseGoBool(setting: string, value: string): boolean {
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new NomadConfigError(
    setting,
    `expected a boolean (1, t, true, 0, f, false…), got ${JSON.stringify(value)}`,
  );
}

function parseAddress(setting: string, raw: string): Pick<NomadConfig, "address" | "baseUrl" | "socketPath"> {
  const value = raw.trim();
  if (value.startsWith("unix://")) {
    const socketPath = value.slice("unix://".length);
    if (!socketPath) throw new NomadConfigError(setting, "unix:// address without a socket path");
    return { address: value, baseUrl: "http://localhost", socketPath };
  }
  // `localhost:4646` would parse as scheme "localhost:"; say what is missing instead.
  if (/^[a-z0-9.-]+:\d+$/i.test(value))
    throw new NomadConfigError(
      setting,
      `not a URL: ${JSON.stringify(value)} has no scheme (use http://${value})`,
    );
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new NomadConfigError(
      setting,
      `not a URL: ${JSON.stringify(value)} (expected e.g. ${DEFAULT_ADDRESS})`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    const shown = `${url.protocol}//${url.host}`;
    throw new NomadConfigError(setting, `unsupported scheme in ${shown}: use http://, https:// or unix://`);
  }
  if (url.username || url.password) {
    throw new NomadConfigError(
      setting,
      `credentials in the address are not supported (${url.protocol}//…@${url.host})`,
    );
  }
  if (url.search || url.hash) {
    throw new NomadConfigError(setting, `the address must not carry a query or fragment (${url.origin})`);
  }
  return { address: url.origin, baseUrl: url.origin, socketPath: undefined };
}

/** Header values may not contain control characters; the token itself is never echoed. */
function checkToken(setting: string, token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const trimmed = token.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is exactly what we reject
  if (/[\u0000-\u001f\u007f]/.test(trimmed) || /[^\u0000-\u00ff]/.test(trimmed)) {
    throw new NomadConfigError(setting, "the token contains characters not allowed in an HTTP header");
  }
  return trimmed || undefined;
}

function checkName(setting: string, value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (value.trim() !== value || /[\s/?#&]/.test(value)) {
    throw new NomadConfigError(setting, `invalid value ${JSON.stringify(value)}`);
  }
  return value;
}

function checkTimeout(value: number | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_MS) {
    throw new NomadConfigError(
      "timeoutMs",
      `expected a number of milliseconds in 1..${MAX_TIMEOUT_MS}, got ${value}`,
    );
  }
  return value;
}

/** Resolves options and environment into a `NomadConfig`, reading TLS files eagerly. */
export function resolveConfig(
  options: NomadClientOptions = {},
  env = options.env ?? process.env,
): NomadConfig {
  const from = (option: string | undefined, name: string) =>
    option !== undefined && option !== "" ? { value: option, setting: name.toLowerCase() } : undefined;
  const envValue = (name: string) => (env[name] ? { value: env[name], setting: name } : undefined);

  const addr = from(options.address, "address") ?? envValue("NOMAD_ADDR");
  const tokenSrc = from(options.token, "token") ?? envValue("NOMAD_TOKEN");
  const regionSrc = from(options.region, "region") ?? envValue("NOMAD_REGION");
  const namespaceSrc = from(options.namespace, "namespace") ?? envValue("NOMAD_NAMESPACE");

  return {
    ...parseAddress(addr?.setting ?? "NOMAD_ADDR", addr?.value ?? DEFAULT_ADDRESS),
    token: checkToken(tokenSrc?.setting ?? "NOMAD_TOKEN", tokenSrc?.value),
    region: checkName(regionSrc?.setting ?? "NOMAD_REGION", regionSrc?.value),
    namespace: checkName(namespaceSrc?.setting ?? "NOMAD_NAMESPACE", namespaceSrc?.value),
    tls: resolveTls(options.tls, env, parseGoBool),
    timeoutMs: checkTimeout(options.timeoutMs),
    throwOnError: options.throwOnError ?? false,
  };
}
