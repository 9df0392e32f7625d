/**
 * Test support for the client tests: X.509 certificates built with node:crypto alone (a tiny DER
 * writer, ECDSA P-256), and real HTTP/HTTPS servers on 127.0.0.1:0 that track their sockets.
 */
import { Buffer } from "node:buffer";
import { generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";

const der = (tag: number, content: Buffer): Buffer => {
  const n = content.length;
  const length: number[] = [];
  if (n < 0x80) length.push(n);
  else {
    for (let v = n; v > 0; v >>= 8) length.unshift(v & 0xff);
    length.unshift(0x80 | length.length);
  }
  return Buffer.concat([Buffer.from([tag, ...length]), content]);
};
const seq = (...items: Buffer[]) => der(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => der(0x31, Buffer.concat(items));
const int = (bytes: Buffer) =>
  der(0x02, bytes[0] !== undefined && bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
const bool = (v: boolean) => der(0x01, Buffer.from([v ? 0xff : 0]));
const octets = (b: Buffer) => der(0x04, b);
const bits = (b: Buffer, unused = 0) => der(0x03, Buffer.concat([Buffer.from([unused]), b]));
const explicit = (n: number, content: Buffer) => der(0xa0 + n, content);
const oid = (dotted: string): Buffer => {
  const [a = 0, b = 0, ...rest] = dotted.split(".").map(Number);
  const out = [40 * a + b];
  for (const part of rest) {
    const base128 = [part & 0x7f];
    for (let v = part >> 7; v > 0; v >>= 7) base128.unshift(0x80 | (v & 0x7f));
    out.push(...base128);
  }
  return der(0x06, Buffer.from(out));
};
const time = (d: Date) => der(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, "")}Z`));
const name = (cn: string) => seq(set(seq(oid("2.5.4.3"), der(0x0c, Buffer.from(cn)))));
const ext = (id: string, critical: boolean, value: Buffer) =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

export interface KeyPairPem {
  cert: string;
  key: string;
}
interface Issuer extends KeyPairPem {
  cn: string;
  privateKey: KeyObject;
}
export interface CertSpec {
  cn: string;
  /** Issuing CA; self-signed CA when absent. */
  issuer?: Issuer;
  ips?: string[];
  dns?: string[];
  usage?: "server" | "client";
}

const pem = (label: string, body: Buffer) =>
  `-----BEGIN ${label}-----\n${body.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "")}\n-----END ${label}-----\n`;

/** A positive serial whose DER encoding is minimal: a leading 0x00 byte would make OpenSSL reject the certificate. */
function serial(): Buffer {
  const bytes = randomBytes(12);
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x01;
  return bytes;
}

/** Creates a certificate (a CA when no issuer is given) and its key, both PEM. */
export function makeCert(spec: CertSpec): Issuer {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const isCa = spec.issuer === undefined;
  const san = [
    ...(spec.ips ?? []).map((ip) => der(0x87, Buffer.from(ip.split(".").map(Number)))),
    ...(spec.dns ?? []).map((d) => der(0x82, Buffer.from(d))),
  ];
  const extensions = isCa
    ? [ext("2.5.29.19", true, seq(bool(true))), ext("2.5.29.15", true, bits(Buffer.from([0x06]), 1))]
    : [
        ext("2.5.29.19", true, seq()),
        ext("2.5.29.15", true, bits(Buffer.from([0x80]), 7)),
        ext(
          "2.5.29.37",
          false,
          seq(oid(spec.usage === "client" ? "1.3.6.1.5.5.7.3.2" : "1.3.6.1.5.5.7.3.1")),
        ),
        ...(san.length > 0 ? [ext("2.5.29.17", false, seq(...san))] : []),
      ];
  const now = Date.now();
  const tbs = seq(
    explicit(0, int(Buffer.from([2]))),
    int(serial()),
    ECDSA_SHA256,
    name(spec.issuer?.cn ?? spec.cn),
    seq(time(new Date(now - 3_600_000)), time(new Date(now + 86_400_000))),
    name(spec.cn),
    publicKey.export({ type: "spki", format: "der" }),
    explicit(3, seq(...extensions)),
  );
  const signature = sign("sha256", tbs, spec.issuer?.privateKey ?? privateKey);
  return {
    cn: spec.cn,
    privateKey,
    cert: pem("CERTIFICATE", seq(tbs, ECDSA_SHA256, bits(signature))),
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/** A CA, a server certificate for 127.0.0.1/localhost, one for `server.global.nomad` only, a client certificate, and an unrelated CA. */
export function makePki() {
  const ca = makeCert({ cn: "Nomad Test CA" });
  return {
    ca,
    server: makeCert({ cn: "server", issuer: ca, ips: ["127.0.0.1"], dns: ["localhost"] }),
    namedServer: makeCert({ cn: "named", issuer: ca, dns: ["server.global.nomad"] }),
    client: makeCert({ cn: "cli-user", issuer: ca, usage: "client" }),
    otherCa: makeCert({ cn: "Other CA" }),
  };
}

export interface TestServer {
  url: string;
  port: number;
  /** Sockets currently open. */
  sockets: Set<Socket>;
  /** Resolves when the number of open sockets is 0. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Starts `server` on `listenOn` (127.0.0.1:0 or a unix socket path) and tracks its sockets. */
export async function listen(server: http.Server | https.Server, listenOn?: string): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const waiters: (() => void)[] = [];
  server.on(server instanceof https.Server ? "secureConnection" : "connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      if (sockets.size === 0) for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) =>
    listenOn ? server.listen(listenOn, resolve) : server.listen(0, "127.0.0.1", resolve),
  );
  const port = listenOn ? 0 : (server.address() as AddressInfo).port;
  const scheme = server instanceof https.Server ? "https" : "http";
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    sockets,
    idle: () => (sockets.size === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function httpServer(handler: Handler, listenOn?: string): Promise<TestServer> {
  return listen(http.createServer(handler), listenOn);
}

export function httpsServer(options: https.ServerOptions, handler: Handler): Promise<TestServer> {
  return listen(https.createServer(options, handler));
}

/** Encodes a frame the way Nomad does: keys omitted when zero, Data base64. */
export function encodeFrame(frame: {
  Offset?: number;
  Data?: string | Uint8Array;
  File?: string;
  FileEvent?: string;
}) {
  const out: Record<string, unknown> = {};
  if (frame.Offset) out.Offset = frame.Offset;
  if (frame.Data !== undefined && frame.Data.length > 0)
    out.Data = Buffer.from(frame.Data).toString("base64");
  if (frame.File) out.File = frame.File;
  if (frame.FileEvent) out.FileEvent = frame.FileEvent;
  return JSON.stringify(out);
}
