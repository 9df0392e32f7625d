/**
 * A minimal fetch over `node:http`/`node:https`, used only when the platform fetch cannot do the
 * job: custom CA / client certificate / server name / skip-verify, and `unix://` sockets.
 * Note: Node's global fetch takes TLS settings only through an undici dispatcher, which Node does
 * not expose and whose npm twin must match the bundled undici major (6 in Node 20/22, 7 in 24);
 * `node:https` works the same on every supported Node. Bodies stream in both directions.
 */
import { Buffer } from "node:buffer";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { NomadConfig } from "./config.ts";

/** `fetch(request, { signal })` as the client calls it. */
export type Transport = (request: Request, init: { signal: AbortSignal }) => Promise<Response>;

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

function toWebStream(res: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // After cancel() the controller is closed; late events must not throw.
        const safely = (fn: () => void) => {
          try {
            fn();
          } catch {}
        };
        res.on("data", (chunk: Buffer) => {
          safely(() => controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
          if ((controller.desiredSize ?? 0) <= 0) res.pause();
        });
        res.once("end", () => safely(() => controller.close()));
        res.once("error", (error) => safely(() => controller.error(error)));
        res.once("aborted", () =>
          safely(() => controller.error(new Error("the connection was closed mid-body"))),
        );
      },
      pull() {
        res.resume();
      },
      cancel() {
        res.destroy();
      },
    },
    { highWaterMark: 4 },
  );
}

function toHeaders(res: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  return headers;
}

/** Builds a transport for `config`; callers use it only for TLS settings or a unix socket. */
export function createNodeTransport(config: NomadConfig): Transport {
  const secure = config.baseUrl.startsWith("https:");
  const agent = secure
    ? new https.Agent({ keepAlive: true, ...(config.tls ?? {}) })
    : new http.Agent({ keepAlive: true });
  const send = secure ? https.request : http.request;

  return async (request, { signal }) => {
    const url = new URL(request.url);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    if (body) headers["content-length"] = String(body.length);
    return await new Promise<Response>((resolve, reject) => {
      const req = send(
        {
          agent,
          method: request.method,
          path: `${url.pathname}${url.search}`,
          headers,
          signal,
          ...(config.socketPath
            ? { socketPath: config.socketPath }
            : { hostname: url.hostname.replace(/^\[|\]$/g, ""), port: url.port || (secure ? 443 : 80) }),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const init = { status, statusText: res.statusMessage ?? "", headers: toHeaders(res) };
          if (NULL_BODY_STATUS.has(status) || request.method === "HEAD") {
            res.resume();
            resolve(new Response(null, init));
          } else {
            resolve(new Response(toWebStream(res), init));
          }
        },
      );
      req.once("error", reject);
      req.end(body);
    });
  };
}
