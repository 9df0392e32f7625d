/**
 * `npm run compare:live`: a differential check of the fixture agent against a real agent. The same
 * requests go to both; status, Content-Type and body are compared (bodies of successes by their key
 * structure and types, error bodies by text with host paths and UUIDs masked). Read-only unless
 * NOMAD_CONFORMANCE_ALLOW_WRITES=1 (then requests the agent must reject with a mutating method are
 * sent too). Needs NOMAD_ADDR, a management NOMAD_TOKEN, NOMAD_CONFORMANCE_ALLOC_ID and _TASK.
 * Exit 0 when everything matches, 1 otherwise.
 */
import { randomUUID } from "node:crypto";
import { createWorld, startFixtureServer } from "../src/fixtures/index.ts";

type Req = [method: string, path: string, body?: string, token?: "anonymous" | "unknown" | "malformed"];
const U = randomUUID();
const reads: Req[] = [
  ["GET", "/v1/agent/members"],
  ["GET", "/v1/agent/servers"],
  ["GET", "/v1/agent/self"],
  ["GET", "/v1/agent/health"],
  ["GET", "/v1/agent/health?type=bogus"],
  ["GET", "/v1/agent/host"],
  ["GET", "/v1/agent/host?server_id=leader"],
  ["GET", "/v1/agent/schedulers"],
  ["GET", "/v1/agent/schedulers/config"],
  ["GET", "/v1/client/metadata"],
  ["GET", "/v1/client/stats"],
  ["GET", "/v1/client/allocation/ALLOC/stats"],
  ["GET", "/v1/client/fs/ls/ALLOC?path=/"],
  ["GET", "/v1/client/fs/stat/ALLOC?path=alloc/logs/TASK.stdout.0"],
  ["GET", "/v1/operator/raft/configuration"],
  ["GET", "/v1/agent/pprof/cmdline"],
  ["PATCH", "/v1/agent/self"],
  ["GET", "/v1/agent/pprof/"],
  ["GET", "/v1/agent/pprof/nope"],
  ["GET", "/v1/client/fs/ls/bad"],
  ["GET", `/v1/client/fs/ls/${U}`],
  ["GET", "/v1/client/fs/cat/ALLOC"],
  ["GET", "/v1/client/fs/logs/ALLOC?task=TASK"],
  ["GET", "/v1/client/fs/logs/ALLOC?task=x&type=stdout"],
  ["GET", "/v1/client/fs/stream/ALLOC?path=alloc/logs/TASK.stdout.0&origin=middle"],
  ["GET", "/v1/agent/monitor?log_level=warning"],
  ["GET", "/v1/agent/monitor?log_json=no"],
  ["GET", `/v1/agent/host?server_id=leader&node_id=${U}`],
  ["GET", "/v1/agent/nope"],
  ["GET", "/v1/agent/self/"],
  ["GET", `/v1/client/allocation/${U}/stats`],
  ["GET", "/v1/client/allocation/ALLOC/nope"],
  ["GET", "/v1/agent/self", undefined, "anonymous"],
  ["GET", "/v1/agent/self", undefined, "unknown"],
  ["GET", "/v1/agent/self", undefined, "malformed"],
  ["GET", "/v1/agent/servers", undefined, "malformed"],
  ["GET", "/v1/client/fs/ls/ALLOC?path=nope"],
  ["GET", "/v1/client/fs/stat/ALLOC?path=nope"],
  ["GET", "/v1/client/fs/stream/ALLOC?path=nope"],
  ["GET", "/v1/client/fs/readat/ALLOC?path=alloc/logs/TASK.stdout.0&offset=x"],
  ["GET", "/v1/client/fs/bogus/ALLOC"],
];
const writes: Req[] = [
  ["PUT", "/v1/client/metadata", '{"Meta":{"a":"b"}}'],
  ["GET", "/v1/operator/raft/peer"],
  ["POST", "/v1/operator/raft/configuration"],
  ["PUT", "/v1/agent/force-leave"],
  ["PUT", "/v1/agent/force-leave?node=x&prune=bogus"],
  ["PUT", "/v1/agent/servers"],
  ["PUT", "/v1/agent/join"],
  ["PUT", "/v1/agent/schedulers/config"],
  ["POST", "/v1/client/metadata", '{"Meta":{}}'],
  ["POST", "/v1/client/metadata", '{"Meta":{"1abc":"x"}}'],
  ["DELETE", "/v1/operator/raft/peer?id=nope"],
  ["DELETE", "/v1/operator/raft/peer?address=127.0.0.1:1"],
  ["GET", "/v1/client/allocation/ALLOC/gc"],
];

/** Keys and value types of a JSON document (first array element only; map-like keys skipped). */
function shape(v: unknown, p = "", out = new Map<string, string>()): Map<string, string> {
  const t = v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
  out.set(p || "(root)", t);
  if (Array.isArray(v) && v.length) shape(v[0], `${p}[]`, out);
  if (
    t === "object" &&
    !/(Tags|Meta|Static|Dynamic|Environment|Disk|Tasks|Pids|stats\.(raft|serf))$/.test(p)
  ) {
    for (const [k, x] of Object.entries(v as object)) shape(x, p ? `${p}.${k}` : k, out);
  }
  return out;
}
const mask = (t: string) =>
  t
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/\S*\/alloc\/<uuid>/g, "<allocdir>");

const env = process.env;
const live = {
  url: env.NOMAD_ADDR,
  token: env.NOMAD_TOKEN,
  alloc: env.NOMAD_CONFORMANCE_ALLOC_ID,
  task: env.NOMAD_CONFORMANCE_TASK,
};
if (!live.url || !live.token || !live.alloc || !live.task) {
  console.error(
    "compare-live: set NOMAD_ADDR, NOMAD_TOKEN (management), NOMAD_CONFORMANCE_ALLOC_ID and NOMAD_CONFORMANCE_TASK",
  );
  process.exit(2);
}
const token = randomUUID();
const world = createWorld({ acl: true, bootstrapToken: token });
const fixture = await startFixtureServer({ port: 0, world });
const targets = [
  { name: "agent", url: live.url, token: live.token, alloc: live.alloc, task: live.task },
  { name: "fixture", url: fixture.url, token, alloc: world.seed.allocId, task: world.seed.task },
];
const requests = /^(1|true)$/i.test(env.NOMAD_CONFORMANCE_ALLOW_WRITES ?? "") ? [...reads, ...writes] : reads;
let differ = 0;
try {
  for (const [method, path, body, tokenKind] of requests) {
    const seen = await Promise.all(
      targets.map(async (t) => {
        const headers: Record<string, string> = { "Accept-Encoding": "identity" };
        const secret = { anonymous: undefined, unknown: randomUUID(), malformed: "foo" }[
          tokenKind ?? "anonymous"
        ];
        const tok = tokenKind ? secret : t.token;
        if (tok) headers["X-Nomad-Token"] = tok;
        const url = t.url + path.replace("ALLOC", t.alloc).replace("TASK", t.task);
        const res = await fetch(url, {
          method,
          headers,
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        let json: unknown;
        try {
          json = res.ok && text ? JSON.parse(text) : undefined;
        } catch {}
        // Successful non-JSON bodies (profiles, command lines) differ between processes by nature.
        const content =
          json !== undefined
            ? JSON.stringify([...shape(json)].sort())
            : res.ok
              ? `(${text.length > 0 ? "non-empty" : "empty"} body)`
              : mask(text).slice(0, 200);
        return `${res.status} ${res.headers.get("content-type") ?? "(no Content-Type)"} ${content}`;
      }),
    );
    if (seen[0] === seen[1]) continue;
    differ++;
    console.log(
      `${method} ${path}${tokenKind ? ` (${tokenKind} token)` : ""}\n  agent:   ${seen[0]?.slice(0, 300)}\n  fixture: ${seen[1]?.slice(0, 300)}`,
    );
  }
} finally {
  await fixture.close();
}
console.log(`compare-live: ${requests.length - differ} of ${requests.length} requests answered alike`);
process.exit(differ ? 1 : 0);
