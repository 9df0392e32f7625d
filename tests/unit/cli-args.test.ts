/** CLI argument parsing, settings precedence (flags > env > yaml > defaults) and --filter matching. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseCommandLine } from "../../src/cli/args.ts";
import { renderExplain, renderList } from "../../src/cli/catalogue.ts";
import { resolveRunSettings } from "../../src/cli/config.ts";
import { CliError, suggest } from "../../src/cli/errors.ts";
import { matchesFilter, selectBehaviours, testNamePattern } from "../../src/cli/filter.ts";
import type { Behaviour } from "../../src/conformance/types.ts";

const usageError = (argv: string[]) => {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    return (error as CliError).message;
  }
  throw new Error(`no error for ${argv.join(" ")}`);
};

describe("parseCommandLine", () => {
  it.each([
    { argv: ["run"], want: { command: "run", flags: {} } },
    {
      argv: [
        "run",
        "--target",
        "http://a:4646",
        "--filter",
        "agent/",
        "--allow-writes",
        "--timeout",
        "500",
        "--out",
        "o",
      ],
      want: {
        command: "run",
        flags: { target: "http://a:4646", filter: "agent/", allowWrites: true, timeout: 500, out: "o" },
      },
    },
    { argv: ["run", "--config=c.yaml"], want: { command: "run", flags: { config: "c.yaml" } } },
    { argv: ["list", "--filter", "spec/"], want: { command: "list", filter: "spec/", json: false } },
    { argv: ["explain", "agent/self/x"], want: { command: "explain", id: "agent/self/x", json: false } },
    { argv: ["serve"], want: { command: "serve", port: 4646, host: "127.0.0.1", acl: false } },
    {
      argv: ["serve", "--port", "0", "--host", "0.0.0.0", "--acl", "--token", "s3cret-token"],
      want: { command: "serve", port: 0, host: "0.0.0.0", acl: true, token: "s3cret-token" },
    },
    { argv: ["--version"], want: { command: "version" } },
  ])("$argv", ({ argv, want }) => {
    expect(parseCommandLine(argv)).toEqual(want);
  });

  it("prints help for no command, --help and per command", () => {
    expect(parseCommandLine([])).toMatchObject({ command: "help" });
    expect(parseCommandLine(["run", "--help"])).toMatchObject({
      command: "help",
      text: expect.stringContaining("--target"),
    });
  });

  it.each([
    { argv: ["run", "--bogus"], want: 'unknown option --bogus for "run"' },
    { argv: ["run", "--tokn=abc123secret"], want: 'unknown option --tokn for "run"' },
    { argv: ["run", "--timeout"], want: "option --timeout needs a value" },
    { argv: ["run", "--timeout", "soon"], want: "--timeout must be a positive whole number" },
    { argv: ["run", "--timeout", "0"], want: "--timeout must be a positive whole number" },
    { argv: ["run", "extra"], want: 'unexpected argument "extra" for "run"' },
    { argv: ["explain"], want: "explain needs a behaviour id" },
    { argv: ["serve", "--port", "70000"], want: "--port must be 0..65535" },
    { argv: ["frobnicate"], want: 'unknown command "frobnicate"' },
  ])("$argv → exit 2: $want", ({ argv, want }) => {
    const message = usageError(argv);
    expect(message).toContain(want);
    expect(message).not.toContain("abc123secret");
  });
});

describe("resolveRunSettings", () => {
  const dir = mkdtempSync(join(tmpdir(), "nc-args-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const yaml = join(dir, "nc.yaml");
  writeFileSync(
    yaml,
    "target: http://from-yaml:4646\ntoken: yaml-token-123456\nallowWrites: true\ntimeout: 3000\nfilter: agent/\nout: results\nregion: eu\ntls:\n  caCert: ca.pem\n",
  );

  it("defaults to the fixtures", () => {
    const s = resolveRunSettings({}, {}, dir);
    expect(s).toMatchObject({
      target: "fixtures",
      live: false,
      allowWrites: false,
      timeoutMs: 10_000,
      token: undefined,
    });
    expect(s.outDir).toBe(join(dir, "conformance-results"));
    expect(s.env).toMatchObject({
      NOMAD_CONFORMANCE_TARGET: "fixtures",
      NOMAD_CONFORMANCE_ALLOW_WRITES: "0",
    });
  });

  it("uses NOMAD_ADDR when set", () => {
    const s = resolveRunSettings({}, { NOMAD_ADDR: "http://env:4646" }, dir);
    expect(s).toMatchObject({ target: "http://env:4646", live: true, sources: { target: "env" } });
    expect(s.env.NOMAD_ADDR).toBe("http://env:4646");
  });

  it("applies flags > env > yaml > defaults", () => {
    const fromYaml = resolveRunSettings({ config: yaml }, {}, dir);
    expect(fromYaml).toMatchObject({
      target: "http://from-yaml:4646",
      token: "yaml-token-123456",
      allowWrites: true,
      timeoutMs: 3000,
      filter: "agent/",
      outDir: join(dir, "results"),
    });
    expect(fromYaml.env).toMatchObject({ NOMAD_REGION: "eu", NOMAD_CACERT: join(dir, "ca.pem") });
    const env = {
      NOMAD_ADDR: "http://env:4646",
      NOMAD_TOKEN: "env-token-123456",
      NOMAD_CONFORMANCE_ALLOW_WRITES: "0",
      NOMAD_CONFORMANCE_TIMEOUT: "2000",
      NOMAD_REGION: "us",
    };
    const fromEnv = resolveRunSettings({ config: yaml }, env, dir);
    expect(fromEnv).toMatchObject({
      target: "http://env:4646",
      token: "env-token-123456",
      allowWrites: false,
      timeoutMs: 2000,
    });
    expect(fromEnv.env.NOMAD_REGION).toBeUndefined();
    const fromFlags = resolveRunSettings(
      { config: yaml, target: "fixtures", allowWrites: true, timeout: 100, filter: "spec/" },
      env,
      dir,
    );
    expect(fromFlags).toMatchObject({
      target: "fixtures",
      live: false,
      allowWrites: true,
      timeoutMs: 100,
      filter: "spec/",
    });
    expect(fromFlags.sources).toMatchObject({ target: "flag", token: "env", timeout: "flag" });
  });

  it.each([
    { file: "bogus: 1\n", want: 'unknown key "bogus"' },
    { file: "tls:\n  caFile: x\n", want: 'unknown key "tls.caFile"' },
    { file: "timeout: soon\n", want: "timeout must be a positive whole number" },
    { file: "- a\n", want: "must hold a mapping" },
    { file: "target: [\n", want: "is not valid YAML" },
  ])("rejects a bad config file: $want", ({ file, want }) => {
    const path = join(dir, "bad.yaml");
    writeFileSync(path, file);
    expect(() => resolveRunSettings({ config: path }, {}, dir)).toThrow(want);
  });

  it("rejects a missing config file and bad env values with exit 2", () => {
    expect(() => resolveRunSettings({ config: "nope.yaml" }, {}, dir)).toThrow(
      /cannot read the config file .*nope\.yaml: ENOENT/,
    );
    expect(() => resolveRunSettings({}, { NOMAD_CONFORMANCE_TIMEOUT: "-1" }, dir)).toThrow(CliError);
    expect(() => resolveRunSettings({}, { NOMAD_CONFORMANCE_ALLOW_WRITES: "maybe" }, dir)).toThrow(
      /true or false/,
    );
  });
});

const behaviour = (id: string, file = "01-a.test.ts"): Behaviour => ({
  id,
  testname: `does ${id}`,
  description: `${id} MUST work`,
  operation: "op",
  check: "shape",
  since: "1.0.0",
  requires: [],
  source: "agent",
  file,
});

describe("--filter", () => {
  it.each([
    { id: "agent/self/member-name", filter: undefined, want: true },
    { id: "agent/self/member-name", filter: "agent/", want: true },
    { id: "agent/self/member-name", filter: "agent/self/member-name", want: true },
    { id: "agent/self/member-name", filter: "agent/self/member-name/extra", want: true },
    { id: "agent/self/member-name", filter: "agent/members", want: false },
    { id: "agent/self", filter: "agent/self/member-name", want: true },
    { id: "client-fs/logs/plain", filter: "agent", want: false },
  ])("$id with $filter → $want", ({ id, filter, want }) => {
    expect(matchesFilter(id, filter)).toBe(want);
  });

  it("builds a test-name pattern for vitest full names", () => {
    const re = testNamePattern(["agent/self/a", "agent/self/a-b"]);
    expect("tests/conformance/02-agent.test.ts GET /v1/agent/self agent/self/a: title").toMatch(re);
    expect("GET /v1/agent/self agent/self/a-b: title").toMatch(re);
    expect("agent/self/a: title").toMatch(re);
    expect("GET /v1/agent/self agent/self/ab: title").not.toMatch(re);
    expect("xagent/self/a: title").not.toMatch(re);
  });

  it("selects behaviours and their files", () => {
    const cat = [
      behaviour("a/x/1", "01-a.test.ts"),
      behaviour("a/y/2", "02-b.test.ts"),
      behaviour("b/z/3", "03-c.test.ts"),
    ];
    expect(selectBehaviours(cat, "a/").files).toEqual(["01-a.test.ts", "02-b.test.ts"]);
    expect(selectBehaviours(cat, undefined).selected).toHaveLength(3);
  });
});

describe("list and explain", () => {
  const cat = [
    behaviour("agent/self/name"),
    { ...behaviour("agent/members/self"), requires: ["server" as const] },
  ];

  it("lists id, requirements and test name", () => {
    const text = renderList(cat, undefined, false);
    expect(text).toMatch(/agent\/members\/self\s+server\s+does agent\/members\/self/);
    expect(text).toContain("2 behaviours");
    expect(() => renderList(cat, "client/", false)).toThrow(/no behaviour matches --filter "client\/"/);
  });

  it("explains one entry and suggests on a typo (exit 2)", () => {
    expect(renderExplain(cat, "agent/self/name", false)).toContain("agent/self/name MUST work");
    expect(() => renderExplain(cat, "agent/self/nmae", false)).toThrow(/did you mean "agent\/self\/name"/);
    expect(suggest("agent/membrs/self", ["agent/members/self", "zzz"])).toEqual(["agent/members/self"]);
  });
});
