/**
 * Bad CLI input the other CLI tests do not cover yet (cli-args: flag parsing; cli-preflight: an
 * unknown flag, "not a url", ftp://, a missing NOMAD_CACERT): each is one clear line on stderr,
 * exit 2, no stack trace, never the token or a password, and no connection attempt.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makePki } from "./client-support.ts";
import { runCli } from "./hostile-support.ts";

const TOKEN = "nc-hostile-cli-SECRET-1a2b3c4d5e6f";
const dir = mkdtempSync(join(tmpdir(), "nc-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pki = makePki();
const cert = join(dir, "client.pem");
const junk = join(dir, "junk.pem");
writeFileSync(cert, pki.client.cert);
writeFileSync(junk, "not a certificate\n");
mkdirSync(join(dir, "a-directory"));
// Nothing listens on port 1 of loopback: a case that got past the settings would say "cannot reach".
const HTTPS = "https://127.0.0.1:1";

describe.concurrent("bad input → one message, exit 2", () => {
  it.each<{ name: string; args?: string[]; env: Record<string, string>; want: RegExp }>([
    {
      name: "only NOMAD_CLIENT_CERT",
      env: { NOMAD_ADDR: HTTPS, NOMAD_CLIENT_CERT: cert },
      want: /invalid NOMAD_CLIENT_KEY: a client certificate and a client key must be given together/,
    },
    {
      name: "only NOMAD_CLIENT_KEY",
      env: { NOMAD_ADDR: HTTPS, NOMAD_CLIENT_KEY: cert },
      want: /invalid NOMAD_CLIENT_CERT: a client certificate and a client key must be given together/,
    },
    {
      name: "NOMAD_CACERT is a directory",
      env: { NOMAD_ADDR: HTTPS, NOMAD_CACERT: join(dir, "a-directory") },
      want: /invalid NOMAD_CACERT: cannot read .*a-directory \(EISDIR\)/,
    },
    {
      name: "NOMAD_CACERT holds no certificate",
      env: { NOMAD_ADDR: HTTPS, NOMAD_CACERT: junk },
      want: /invalid NOMAD_CACERT: no PEM certificate found in .*junk\.pem/,
    },
    {
      name: "NOMAD_CACERT=/nonexistent with an http:// address",
      env: { NOMAD_ADDR: "http://127.0.0.1:1", NOMAD_CACERT: "/nonexistent" },
      want: /invalid NOMAD_CACERT: cannot read \/nonexistent \(ENOENT\)/,
    },
    {
      name: "NOMAD_ADDR without a scheme",
      env: { NOMAD_ADDR: "localhost:4646" },
      want: /invalid NOMAD_ADDR: not a URL: "localhost:4646" has no scheme \(use http:\/\/localhost:4646\)/,
    },
    {
      name: "NOMAD_ADDR with a port out of range",
      env: { NOMAD_ADDR: "http://127.0.0.1:99999" },
      want: /invalid NOMAD_ADDR: not a URL/,
    },
    {
      name: "NOMAD_ADDR with a password",
      env: { NOMAD_ADDR: `http://user:${TOKEN}@127.0.0.1:1` },
      want: /invalid NOMAD_ADDR: credentials in the address are not supported \(http:\/\/…@127\.0\.0\.1:1\)/,
    },
    {
      name: "empty unix:// address",
      env: { NOMAD_ADDR: "unix://" },
      want: /unix:\/\/ address without a socket path/,
    },
    {
      name: "NOMAD_SKIP_VERIFY=maybe",
      env: { NOMAD_ADDR: HTTPS, NOMAD_SKIP_VERIFY: "maybe" },
      want: /invalid NOMAD_SKIP_VERIFY: expected a boolean/,
    },
    {
      name: "NOMAD_CONFORMANCE_TIMEOUT=soon",
      env: { NOMAD_ADDR: HTTPS, NOMAD_CONFORMANCE_TIMEOUT: "soon" },
      want: /NOMAD_CONFORMANCE_TIMEOUT must be a positive whole number of milliseconds/,
    },
    {
      name: "an unknown flag carrying a secret value",
      args: [`--token=${TOKEN}`],
      env: {},
      want: /^nomad-conformance: unknown option --token for "run"/,
    },
    {
      name: "a flag without its value",
      args: ["--timeout"],
      env: {},
      want: /option --timeout needs a value/,
    },
  ])(
    "$name",
    async ({ args = [], env, want }) => {
      const r = await runCli(["run", ...args], { NOMAD_TOKEN: TOKEN, ...env }, 30_000);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(want);
      expect(r.stderr).not.toMatch(/cannot reach/);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe("");
      expect(r.stderr).not.toContain(TOKEN);
    },
    40_000,
  );
});
