/**
 * Hostile targets for the hardening tests: loopback servers (127.0.0.1:0) that never answer, stall,
 * trickle or corrupt, each counting its open TCP connections; a corrupting proxy in front of the
 * fixture agent; and the CLI as a child process with a hard kill bound.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const BIN = fileURLToPath(new URL("../../bin/nomad-conformance.js", import.meta.url));

/** A recorded `/v1/agent/self` answer of a real 2.0.6-dev agent (the spec's example). */
export const RECORDED_SELF = JSON.stringify(
  parse(readFileSync(new URL("../../openapi/components/examples/AgentSelfDev.yaml", import.meta.url), "utf8"))
    .value,
);

/** A listening server that counts its open connections. */
export interface Hostile {
  url: string;
  port: number;
  /** TCP connections open right now. */
  open(): number;
  /** Connections accepted so far. */
  accepted(): number;
  /** Resolves true once no connection is open, false after `withinMs`. */
  drained(withinMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Starts `server` on 127.0.0.1:0 and tracks its TCP sockets (also for TLS servers). */
export async function track(server: net.Server, scheme = "http"): Promise<Hostile> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  server.on("connection", (socket: net.Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    open: () => sockets.size,
    accepted: () => accepted,
    async drained(withinMs) {
      const until = Date.now() + withinMs;
      while (sockets.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      return sockets.size === 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts connections, reads and drops what arrives, and never writes a byte. */
export function silentServer(): Promise<Hostile> {
  return track(net.createServer((socket) => socket.resume()));
}

/** How a route misbehaves after its request arrives. */
export type Misbehaviour = "silent" | "stall-body" | "trickle";

/** Applies a misbehaviour to one response; every timer stops when the socket closes. */
export function misbehave(mode: Misbehaviour, res: http.ServerResponse): void {
  if (mode === "silent") return;
  res.writeHead(200, { "content-type": "application/json", "content-length": "4096" });
  res.flushHeaders();
  if (mode === "stall-body") {
    res.write('{"partial":');
    return;
  }
  const body = Buffer.from(`{"config":{"Version":{"Version":"2.0.6"}},"pad":"${"x".repeat(4000)}"}`);
  let i = 0;
  const timer = setInterval(() => {
    if (i >= body.length || res.destroyed) clearInterval(timer);
    else res.write(body.subarray(i, ++i));
  }, 1000);
  res.once("close", () => clearInterval(timer));
}

/**
 * An HTTP server that misbehaves on every route, or only after answering `GET /v1/agent/self` with
 * the recorded agent answer (`selfFirst`), so the preflight passes and the behaviours meet it.
 */
export function misbehavingServer(mode: Misbehaviour, selfFirst = false): Promise<Hostile> {
  const server = http.createServer((req, res) => {
    if (selfFirst && req.url?.startsWith("/v1/agent/self")) {
      res.writeHead(200, { "content-type": "application/json" }).end(RECORDED_SELF);
      return;
    }
    misbehave(mode, res);
  });
  return track(server);
}

/** A port that was just closed (nothing listens there). */
export async function closedPort(): Promise<string> {
  const probe = await track(net.createServer());
  await probe.close();
  return probe.url;
}

/** A TLS server (certificate and key PEM) answering the recorded self to everything. */
export function tlsServer(cert: string, key: string): Promise<Hostile> {
  const server = https.createServer({ cert, key }, (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end(RECORDED_SELF);
  });
  return track(server, "https");
}

/** What one CLI run did. */
export interface Ran {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `nomad-conformance` with a clean NOMAD_* environment; killed after `killMs`. */
export function runCli(args: string[], env: Record<string, string> = {}, killMs = 60_000): Promise<Ran> {
  const started = Date.now();
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^NOMAD_|^VITEST/.test(k)));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...clean, ...env }, timeout: killMs, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const failed = error as (Error & { code?: unknown; signal?: string }) | null;
        resolve({
          code: failed ? (typeof failed.code === "number" ? failed.code : null) : 0,
          signal: failed?.signal ?? null,
          stdout,
          stderr,
          ms: Date.now() - started,
        });
      },
    );
  });
}
