/**
 * A corrupting proxy in front of the fixture agent's real HTTP server: requests pass through
 * unchanged, except those whose path matches a rule, whose answer is corrupted in one specific way.
 * Every loop and timer is bounded and stops when the client goes away.
 */
import http from "node:http";
import { type Hostile, track } from "./hostile-support.ts";

/** The ways an answer can be broken. */
export type Corruption =
  | "truncate-json"
  | "wrong-content-type"
  | "junk-10mib"
  | "junk-error-endless"
  | "invalid-utf8"
  | "garbage-frames"
  | "redirect-loop";

/** A path (without query) pattern and what to do to its answer. */
export interface Rule {
  path: RegExp;
  corrupt: Corruption;
}

/** The proxy, with what it observed. */
export interface CorruptingProxy extends Hostile {
  /** Bytes of junk the proxy got the kernel to accept, per corruption. */
  junkWritten: Partial<Record<Corruption, number>>;
  /** Requests answered with a corruption (for redirect-loop: the hops served). */
  hits: Partial<Record<Corruption, number>>;
}

const MIB = 1024 * 1024;
/** Bound of the endless bodies: far above what any reader may accept. */
const ENDLESS_CAP = 512 * MIB;

/** Deterministic non-JSON junk (no valid UTF-8 structure either). */
function junk(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** Writes `total` bytes of junk in 64 KiB chunks, respecting backpressure; counts what was written. */
function pump(res: http.ServerResponse, total: number, count: (n: number) => void): void {
  const chunk = junk(64 * 1024, 7);
  let sent = 0;
  const next = () => {
    while (sent < total && !res.destroyed) {
      const n = Math.min(chunk.length, total - sent);
      sent += n;
      count(n);
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        res.once("drain", next);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  next();
}

/** Inserts an invalid UTF-8 sequence (0xC3 0x28, then a lone 0xFF) into the first JSON string value. */
function breakUtf8(body: Buffer): Buffer {
  const at = body.indexOf(Buffer.from(':"'));
  if (at < 0) return Buffer.concat([Buffer.from([0xff, 0xfe]), body]);
  return Buffer.concat([body.subarray(0, at + 2), Buffer.from([0xc3, 0x28, 0xff]), body.subarray(at + 2)]);
}

/** Frame-stream garbage: a frame with wrong types, base64 that is not, then bytes that are no JSON. */
const GARBAGE = Buffer.concat([
  Buffer.from('{"Offset":"ten","Data":"!!!not base64!!!"}{"Data":'),
  Buffer.from("]]]}}}{{{\u0000"),
  junk(512, 3),
]);

async function upstream(target: string, req: http.IncomingMessage, body: Buffer): Promise<Response> {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (!/^(host|connection|content-length|transfer-encoding)$/i.test(name))
      headers.append(name, req.rawHeaders[i + 1] as string);
  }
  return fetch(`${target}${req.url}`, {
    method: req.method,
    headers,
    redirect: "manual",
    ...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
  });
}

function headersOf(response: Response, drop: RegExp = /^(content-length|transfer-encoding|connection)$/i) {
  const out: Record<string, string> = {};
  response.headers.forEach((v, k) => {
    if (!drop.test(k)) out[k] = v;
  });
  return out;
}

/** Starts the proxy on 127.0.0.1:0 in front of `target` (e.g. the fixture agent's URL). */
export async function corruptingProxy(target: string, rules: Rule[]): Promise<CorruptingProxy> {
  const junkWritten: CorruptingProxy["junkWritten"] = {};
  const hits: CorruptingProxy["hits"] = {};
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const rule = rules.find((r) => r.path.test(path));
    const counted = (c: Corruption) => (n: number) => {
      junkWritten[c] = (junkWritten[c] ?? 0) + n;
    };
    if (rule) hits[rule.corrupt] = (hits[rule.corrupt] ?? 0) + 1;
    switch (rule?.corrupt) {
      case "junk-10mib":
        res.writeHead(200, { "content-type": "application/json", "content-length": String(10 * MIB) });
        return pump(res, 10 * MIB, counted("junk-10mib"));
      case "junk-error-endless":
        res.writeHead(500, { "content-type": "text/plain" });
        return pump(res, ENDLESS_CAP, counted("junk-error-endless"));
      case "garbage-frames":
        res.writeHead(200, { "content-type": "application/json" });
        res.end(GARBAGE);
        return;
      case "redirect-loop":
        res.writeHead(307, { location: `${path}?hop=${hits["redirect-loop"]}` }).end();
        return;
    }
    const answer = await upstream(target, req, Buffer.concat(chunks));
    if (!rule) {
      res.writeHead(answer.status, headersOf(answer));
      if (!answer.body) return void res.end();
      const reader = answer.body.getReader();
      res.once("close", () => void reader.cancel().catch(() => {}));
      for (;;) {
        const next = await reader.read().catch(() => ({ done: true as const, value: undefined }));
        if (next.done || res.destroyed) break;
        res.write(next.value);
      }
      return void res.end();
    }
    const body = Buffer.from(await answer.arrayBuffer());
    let out: Buffer = body;
    const head = headersOf(answer);
    if (rule.corrupt === "truncate-json") out = body.subarray(0, Math.floor(body.length / 2));
    if (rule.corrupt === "wrong-content-type") head["content-type"] = "text/html; charset=utf-8";
    if (rule.corrupt === "invalid-utf8") out = breakUtf8(body);
    res.writeHead(answer.status, { ...head, "content-length": String(out.length) }).end(out);
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  const tracked = await track(server);
  return Object.assign(tracked, { junkWritten, hits });
}
