/**
 * A small closed-loop HTTP load generator on node:http with a keep-alive agent (bench:fixtures):
 * `connections` workers each send requests back to back, cycling through the given paths, until
 * the time is up or the request bound is reached. Latency is measured per request from send to the
 * end of the body. Also opens many long-lived streaming requests and counts what they receive.
 */
import http from "node:http";

/** Outcome of one load round. */
export interface LoadResult {
  requests: number;
  /** Answers that were not 2xx, by status. */
  non2xx: Record<number, number>;
  errors: number;
  elapsedMs: number;
  /** Latencies in ms, one per completed request. */
  latencies: Float64Array;
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  url: string;
  paths: readonly string[];
  connections: number;
  durationMs: number;
  /** Hard bound on the number of requests (default 2 000 000). */
  maxRequests?: number;
}

function once(agent: http.Agent, url: URL, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: url.hostname, port: url.port, path, agent, timeout: 10_000 }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timeout: ${path}`)));
    req.on("error", reject);
  });
}

/** Runs one load round against `url`. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const url = new URL(o.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
  const max = o.maxRequests ?? 2_000_000;
  const latencies = new Float64Array(max);
  const non2xx: Record<number, number> = {};
  let sent = 0;
  let done = 0;
  let errors = 0;
  const start = performance.now();
  const until = start + o.durationMs;
  const worker = async () => {
    while (performance.now() < until && sent < max) {
      const path = o.paths[sent++ % o.paths.length] as string;
      const t0 = performance.now();
      try {
        const status = await once(agent, url, path);
        if (status < 200 || status > 299) non2xx[status] = (non2xx[status] ?? 0) + 1;
        latencies[done++] = performance.now() - t0;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: o.connections }, worker));
  const elapsedMs = performance.now() - start;
  agent.destroy();
  return { requests: done, non2xx, errors, elapsedMs, latencies: latencies.subarray(0, done) };
}

/** The q-quantile (0..1) of the samples, nearest rank. */
export function quantile(samples: Float64Array, q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

/** Long-lived streaming requests and what they received. */
export interface OpenStreams {
  /** Streams whose status line arrived with 200. */
  open(): number;
  /** Streams that ended or failed before {@link OpenStreams.close}. */
  ended(): number;
  /** Bytes received per stream so far. */
  bytes(): number[];
  /** Destroy every stream (the client goes away). */
  close(): void;
}

/** Opens `count` streaming GETs of `path` (one connection each) and resolves once all answered. */
export async function openStreams(o: { url: string; path: string; count: number }): Promise<OpenStreams> {
  const url = new URL(o.url);
  const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const received = new Array<number>(o.count).fill(0);
  const requests: http.ClientRequest[] = [];
  let open = 0;
  let ended = 0;
  let closing = false;
  const answered = Array.from(
    { length: o.count },
    (_, i) =>
      new Promise<void>((resolve, reject) => {
        const req = http.get({ host: url.hostname, port: url.port, path: o.path, agent }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`stream ${i}: status ${res.statusCode}`));
          open++;
          resolve();
          res.on("data", (chunk: Buffer) => {
            received[i] = (received[i] ?? 0) + chunk.length;
          });
          res.on("close", () => {
            if (!closing) ended++;
          });
          res.on("error", () => {});
        });
        req.on("error", (e) => {
          if (!closing) {
            ended++;
            reject(e);
          }
        });
        requests.push(req);
      }),
  );
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`only ${open} of ${o.count} streams answered in 30 s`)),
      30_000,
    ).unref(),
  );
  await Promise.race([Promise.all(answered), timeout]);
  return {
    open: () => open,
    ended: () => ended,
    bytes: () => [...received],
    close: () => {
      closing = true;
      for (const r of requests) r.destroy();
      agent.destroy();
    },
  };
}
