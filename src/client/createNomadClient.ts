/**
 * `createNomadClient()`: openapi-fetch's `createClient<paths>` typed by the generated spec types,
 * plus one middleware for Nomad's conventions (X-Nomad-Token, default region/namespace) and a fetch
 * function with timeouts and typed errors. No per-endpoint wrappers: call `client.GET("/v1/…")`.
 * @see https://openapi-ts.dev/openapi-fetch/
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { paths } from "../generated/nomad.js";
import { type NomadClientOptions, type NomadConfig, resolveConfig } from "./config.ts";
import { createFetch, requestContexts } from "./fetcher.ts";
import { createNodeTransport } from "./transport.ts";

/** The typed client, with the settings it resolved. */
export type NomadClient = Client<paths> & {
  /** Resolved connection settings (the token is included: do not log this object). */
  readonly config: Readonly<NomadConfig>;
};

/** Appends `name=value` unless the query already has `name` (keeps the existing encoding intact). */
function withDefaultQuery(url: URL, defaults: [string, string | undefined][]): URL | undefined {
  const present = new URLSearchParams(url.search);
  let search = url.search;
  for (const [name, value] of defaults) {
    if (value === undefined || present.has(name)) continue;
    search += `${search ? "&" : "?"}${name}=${encodeURIComponent(value)}`;
  }
  if (search === url.search) return undefined;
  const next = new URL(url);
  next.search = search;
  return next;
}

/** The Nomad middleware: token header, default region/namespace, request context for the fetcher. */
export function nomadMiddleware(config: NomadConfig): Middleware {
  return {
    async onRequest({ request, schemaPath, options }) {
      let out = request;
      const url = withDefaultQuery(new URL(request.url), [
        ["region", config.region],
        ["namespace", config.namespace],
      ]);
      if (url) {
        const body = request.body ? await request.arrayBuffer() : undefined;
        out = new Request(url, {
          method: request.method,
          headers: request.headers,
          body,
          signal: request.signal,
          redirect: request.redirect,
        });
      }
      if (config.token && !out.headers.has("X-Nomad-Token")) out.headers.set("X-Nomad-Token", config.token);
      requestContexts.set(out, { operation: `${request.method} ${schemaPath}`, parseAs: options.parseAs });
      return out;
    },
  };
}

/**
 * Creates a client for one agent. Settings come from `options`, then NOMAD_* variables.
 * Note: with TLS settings (CA, client certificate, server name, skip-verify) or a `unix://` address
 * requests go through `node:https`/`node:http`; otherwise through the global fetch, looked up per call.
 */
export function createNomadClient(options: NomadClientOptions = {}): NomadClient {
  const config = resolveConfig(options);
  const needsNode =
    config.socketPath !== undefined || (config.tls !== undefined && config.baseUrl.startsWith("https:"));
  const client = createClient<paths>({
    baseUrl: config.baseUrl,
    fetch: createFetch(config, needsNode ? createNodeTransport(config) : undefined),
  });
  client.use(nomadMiddleware(config));
  return Object.assign(client, { config: Object.freeze({ ...config }) });
}
