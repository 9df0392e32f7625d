// Run by tests/unit/package.test.ts with plain `node` (no tsx) inside a scratch project where the packed
// package is installed as node_modules/nomad-conformance. Prints one JSON line with what it observed.
import { createNomadClient } from "nomad-conformance";
import { createFixtureServer, createWorld, startFixtureServer } from "nomad-conformance/msw";

const out = {
  resolved: {
    client: import.meta.resolve("nomad-conformance"),
    msw: import.meta.resolve("nomad-conformance/msw"),
  },
};

// In-process: msw's setupServer answers on the fixture origin; nothing leaves the process.
const inProcess = createFixtureServer(createWorld({ nodeName: "pkg-msw" }));
inProcess.listen({ onUnhandledRequest: "error" });
const seed = inProcess.world.seed;
const logsPath = `/v1/client/fs/logs/${seed.allocId}?task=${seed.task}&type=stdout&plain=true`;
try {
  const nomad = createNomadClient({ address: inProcess.baseUrl, timeoutMs: 5_000 });
  const { data, response } = await nomad.GET("/v1/agent/self");
  const logs = await fetch(`${inProcess.baseUrl}${logsPath}`);
  out.msw = { status: response.status, name: data?.member.Name, logs: await logs.text() };
} finally {
  inProcess.close();
}

// Real socket: the same handlers behind node:http on 127.0.0.1 (msw is closed, so this is real HTTP).
const running = await startFixtureServer({ port: 0, world: createWorld({ nodeName: "pkg-http" }) });
try {
  const nomad = createNomadClient({ address: running.url, timeoutMs: 5_000 });
  const { data, response } = await nomad.GET("/v1/agent/self");
  const logs = await fetch(`${running.url}${logsPath}`, { signal: AbortSignal.timeout(5_000) });
  out.http = {
    url: running.url,
    status: response.status,
    name: data?.member.Name,
    logsStatus: logs.status,
    logsType: logs.headers.get("content-type"),
    logs: await logs.text(),
  };
} finally {
  await running.close();
}
console.log(JSON.stringify(out));
