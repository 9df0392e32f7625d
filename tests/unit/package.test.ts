/**
 * The published package works from someone else's project: builds the library, packs it with
 * `npm pack` (offline, no lifecycle scripts), installs the tarball into a scratch project as
 * node_modules/nomad-conformance with its declared runtime dependencies linked from this checkout,
 * then imports both exports with plain `node`, type-checks a consumer with tsc, and runs the bin.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLib } from "../../scripts/build-lib.ts";
import { loadCatalogue } from "../../src/conformance/catalogue.ts";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TIMEOUT_MS = 30_000;

/** A TypeScript consumer: the @ts-expect-error lines fail the check if the exported types were `any`. */
const CONSUMER = `import { createNomadClient, NomadApiError } from "nomad-conformance";
import { createWorld, type RunningFixtureServer, startFixtureServer } from "nomad-conformance/msw";
const nomad = createNomadClient({ address: "http://127.0.0.1:1" });
const { data } = await nomad.GET("/v1/agent/self");
const name: string | undefined = data?.member.Name;
// @ts-expect-error Name is a string
const wrong: number | undefined = data?.member.Name;
const running: RunningFixtureServer = await startFixtureServer({ port: 0, world: createWorld({ acl: true }) });
// @ts-expect-error port is a number
const port: string = running.port;
console.log(name, wrong, port, NomadApiError.name);
`;

let tmp = "";
let scratch = "";
let installed = "";

function link(name: string): void {
  const to = join(scratch, "node_modules", name);
  mkdirSync(dirname(to), { recursive: true });
  symlinkSync(join(ROOT, "node_modules", name), to, "dir");
}

beforeAll(async () => {
  buildLib();
  tmp = mkdtempSync(join(tmpdir(), "nomad-conformance-pkg-"));
  const { stdout } = await run(
    "npm",
    ["pack", "--ignore-scripts", "--offline", "--json", "--pack-destination", tmp],
    { cwd: ROOT, timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
  );
  const tarball = join(tmp, (JSON.parse(stdout) as { filename: string }[])[0]?.filename ?? "");
  scratch = join(tmp, "scratch");
  installed = join(scratch, "node_modules/nomad-conformance");
  mkdirSync(installed, { recursive: true });
  await run("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"], { timeout: TIMEOUT_MS });
  // Only what the packed package.json declares: a dependency missing there breaks the imports below.
  const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
    bin: Record<string, string>;
  };
  for (const name of Object.keys(pkg.dependencies)) link(name);
  link("@types/node"); // the consumer's own dev dependency for the type check
  mkdirSync(join(scratch, "node_modules/.bin"));
  for (const [name, file] of Object.entries(pkg.bin))
    symlinkSync(join("..", "nomad-conformance", file), join(scratch, "node_modules/.bin", name));
  writeFileSync(join(scratch, "package.json"), '{ "name": "scratch", "private": true, "type": "module" }\n');
  cpSync(join(ROOT, "tests/unit/package-smoke.js"), join(scratch, "smoke.js"));
  writeFileSync(join(scratch, "consumer.ts"), CONSUMER);
  writeFileSync(
    join(scratch, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        lib: ["ES2023", "DOM"],
        types: ["node"],
      },
      files: ["consumer.ts"],
    }),
  );
}, 90_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.concurrent("the packed package in a scratch project", () => {
  it("imports nomad-conformance and nomad-conformance/msw with plain node (in-process and real HTTP)", async () => {
    const { stdout } = await run(process.execPath, ["smoke.js"], { cwd: scratch, timeout: TIMEOUT_MS });
    const got = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    const lib = pathToFileURL(join(installed, "dist/lib")).href;
    expect(got.resolved).toEqual({ client: `${lib}/index.js`, msw: `${lib}/fixtures/index.js` });
    expect(got.msw).toMatchObject({ status: 200, name: "pkg-msw.global" });
    expect(got.http).toMatchObject({ status: 200, name: "pkg-http.global", logsStatus: 200 });
    expect(got.http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(got.http.logsType).toMatch(/^text\/plain/);
    expect(got.msw.logs.length).toBeGreaterThan(0);
    expect(got.http.logs).toBe(got.msw.logs);
  });

  it("gives a TypeScript consumer the client and fixture types", async () => {
    const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
    const result = await run(process.execPath, [tsc, "-p", "."], { cwd: scratch, timeout: TIMEOUT_MS }).catch(
      (e: { stdout?: string; message: string }) => ({ stdout: e.stdout || e.message }),
    );
    expect(result.stdout).toBe("");
  });

  it("runs the installed nomad-conformance bin (list)", async () => {
    const bin = join(scratch, "node_modules/.bin/nomad-conformance");
    const { stdout } = await run(bin, ["list"], { cwd: scratch, timeout: TIMEOUT_MS });
    const lines = stdout.trim().split("\n");
    const count = loadCatalogue().length;
    expect(lines.at(-1)).toBe(`${count} behaviours`);
    expect(lines.filter((l) => /^[a-z-]+\/\S+\s/.test(l))).toHaveLength(count);
  });
});
