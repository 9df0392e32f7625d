import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type NomadClientOptions, NomadConfigError, resolveConfig } from "../../src/client/index.ts";
import { makePki } from "./client-support.ts";

const pki = makePki();
const dir = mkdtempSync(join(tmpdir(), "nomad-config-"));
const files = {
  ca: join(dir, "ca.pem"),
  cert: join(dir, "cli.pem"),
  key: join(dir, "cli-key.pem"),
  notPem: join(dir, "junk.txt"),
  caDir: join(dir, "cas"),
  emptyDir: join(dir, "empty"),
};
writeFileSync(files.ca, pki.ca.cert);
writeFileSync(files.cert, pki.client.cert);
writeFileSync(files.key, pki.client.key);
writeFileSync(files.notPem, "hello");
mkdirSync(files.caDir);
mkdirSync(files.emptyDir);
writeFileSync(join(files.caDir, "a.pem"), pki.ca.cert);
writeFileSync(join(files.caDir, "b.pem"), pki.otherCa.cert + pki.ca.cert);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Env = Record<string, string | undefined>;
const resolve = (env: Env, options: NomadClientOptions = {}) => resolveConfig({ ...options, env });

describe("resolveConfig: values", () => {
  const cases: { name: string; env: Env; options?: NomadClientOptions; want: Record<string, unknown> }[] = [
    {
      name: "defaults",
      env: {},
      want: {
        baseUrl: "http://127.0.0.1:4646",
        token: undefined,
        region: undefined,
        tls: undefined,
        timeoutMs: 60000,
      },
    },
    {
      name: "environment",
      env: {
        NOMAD_ADDR: "https://nomad.example:4646",
        NOMAD_TOKEN: " s3cret ",
        NOMAD_REGION: "eu",
        NOMAD_NAMESPACE: "ops",
      },
      want: { baseUrl: "https://nomad.example:4646", token: "s3cret", region: "eu", namespace: "ops" },
    },
    {
      name: "options win over environment",
      env: { NOMAD_ADDR: "http://env:1", NOMAD_TOKEN: "env-token", NOMAD_REGION: "env" },
      options: { address: "http://opt:2", token: "opt-token", region: "opt" },
      want: { baseUrl: "http://opt:2", token: "opt-token", region: "opt" },
    },
    {
      name: "empty environment values count as unset",
      env: { NOMAD_ADDR: "", NOMAD_TOKEN: "", NOMAD_SKIP_VERIFY: "" },
      want: { baseUrl: "http://127.0.0.1:4646", token: undefined, tls: undefined },
    },
    {
      name: "unix socket",
      env: { NOMAD_ADDR: "unix:///run/nomad.sock" },
      want: { baseUrl: "http://localhost", socketPath: "/run/nomad.sock" },
    },
    {
      name: "address path is dropped like the Go client does",
      env: { NOMAD_ADDR: "http://10.0.0.1:4646/ui/" },
      want: { baseUrl: "http://10.0.0.1:4646" },
    },
    {
      name: "skip verify (Go ParseBool spelling)",
      env: { NOMAD_SKIP_VERIFY: "T" },
      want: { tls: { rejectUnauthorized: false } },
    },
    {
      name: "option insecure=false overrides NOMAD_SKIP_VERIFY",
      env: { NOMAD_SKIP_VERIFY: "true", NOMAD_TLS_SERVER_NAME: "server.global.nomad" },
      options: { tls: { insecure: false } },
      want: { tls: { servername: "server.global.nomad", rejectUnauthorized: true } },
    },
    {
      name: "CA file, client certificate and key from the environment",
      env: { NOMAD_CACERT: files.ca, NOMAD_CLIENT_CERT: files.cert, NOMAD_CLIENT_KEY: files.key },
      want: {
        tls: {
          ca: [pki.ca.cert.trim()],
          cert: pki.client.cert,
          key: pki.client.key,
          rejectUnauthorized: true,
        },
      },
    },
    {
      name: "CA directory collects every certificate",
      env: { NOMAD_CAPATH: files.caDir },
      want: {
        tls: {
          ca: [pki.ca.cert.trim(), pki.otherCa.cert.trim(), pki.ca.cert.trim()],
          rejectUnauthorized: true,
        },
      },
    },
  ];

  it.each(cases)("$name", ({ env, options, want }) => {
    expect(resolve(env, options)).toMatchObject(want);
  });
});

describe("resolveConfig: invalid values", () => {
  const cases: { name: string; env: Env; options?: NomadClientOptions; setting: string; want: RegExp }[] = [
    {
      name: "no scheme",
      env: { NOMAD_ADDR: "127.0.0.1:4646" },
      setting: "NOMAD_ADDR",
      want: /unsupported scheme|not a URL/,
    },
    { name: "not a URL", env: { NOMAD_ADDR: "http//nope" }, setting: "NOMAD_ADDR", want: /not a URL/ },
    {
      name: "ftp scheme",
      env: { NOMAD_ADDR: "ftp://host:21" },
      setting: "NOMAD_ADDR",
      want: /unsupported scheme/,
    },
    {
      name: "empty unix path",
      env: { NOMAD_ADDR: "unix://" },
      setting: "NOMAD_ADDR",
      want: /without a socket path/,
    },
    {
      name: "query in address",
      env: { NOMAD_ADDR: "http://h:1/?region=x" },
      setting: "NOMAD_ADDR",
      want: /query/,
    },
    { name: "option address", env: {}, options: { address: "nope" }, setting: "address", want: /not a URL/ },
    {
      name: "skip verify",
      env: { NOMAD_SKIP_VERIFY: "yes" },
      setting: "NOMAD_SKIP_VERIFY",
      want: /expected a boolean/,
    },
    {
      name: "region with space",
      env: { NOMAD_REGION: "eu west" },
      setting: "NOMAD_REGION",
      want: /invalid value/,
    },
    {
      name: "CA file missing",
      env: { NOMAD_CACERT: join(dir, "none.pem") },
      setting: "NOMAD_CACERT",
      want: /ENOENT/,
    },
    {
      name: "CA file not PEM",
      env: { NOMAD_CACERT: files.notPem },
      setting: "NOMAD_CACERT",
      want: /no PEM certificate/,
    },
    {
      name: "CA dir empty",
      env: { NOMAD_CAPATH: files.emptyDir },
      setting: "NOMAD_CAPATH",
      want: /no certificate files/,
    },
    {
      name: "cert without key",
      env: { NOMAD_CLIENT_CERT: files.cert },
      setting: "NOMAD_CLIENT_KEY",
      want: /together/,
    },
    {
      name: "key file is not a key",
      env: { NOMAD_CLIENT_CERT: files.cert, NOMAD_CLIENT_KEY: files.ca },
      setting: "NOMAD_CLIENT_KEY",
      want: /invalid PEM private key/,
    },
    {
      name: "key of another certificate",
      env: {},
      options: { tls: { clientCertPem: pki.client.cert, clientKeyPem: pki.server.key } },
      setting: "NOMAD_CLIENT_KEY",
      want: /does not belong/,
    },
    { name: "timeout 0", env: {}, options: { timeoutMs: 0 }, setting: "timeoutMs", want: /milliseconds/ },
    {
      name: "timeout NaN",
      env: {},
      options: { timeoutMs: Number.NaN },
      setting: "timeoutMs",
      want: /milliseconds/,
    },
  ];

  it.each(cases)("$name → NomadConfigError($setting)", ({ env, options, setting, want }) => {
    const error = (() => {
      try {
        resolve(env, options);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NomadConfigError);
    expect((error as NomadConfigError).setting).toBe(setting);
    expect((error as Error).message).toMatch(want);
  });

  it("never echoes a token with forbidden characters or credentials in the address", () => {
    for (const [env, secret] of [
      [{ NOMAD_TOKEN: "abc\r\nX-Evil: 1" }, "abc"],
      [{ NOMAD_ADDR: "http://user:hunter2@host:4646" }, "hunter2"],
    ] as const) {
      expect(() => resolve(env)).toThrow(NomadConfigError);
      try {
        resolve(env);
      } catch (e) {
        expect((e as Error).message).not.toContain(secret);
      }
    }
  });
});
