import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNomadClient, type NomadClientOptions, NomadTlsError } from "../../src/client/index.ts";
import { httpsServer, makePki, type TestServer } from "./client-support.ts";

const pki = makePki();
const dir = mkdtempSync(join(tmpdir(), "nomad-tls-"));
const files = {
  ca: join(dir, "ca.pem"),
  cert: join(dir, "cli.pem"),
  key: join(dir, "cli-key.pem"),
  caDir: join(dir, "cas"),
};
writeFileSync(files.ca, pki.ca.cert);
writeFileSync(files.cert, pki.client.cert);
writeFileSync(files.key, pki.client.key);
mkdirSync(files.caDir);
writeFileSync(join(files.caDir, "ca.pem"), pki.ca.cert);

/** Answers with the CN of the client certificate (or "none"). */
function whoami(req: IncomingMessage, res: ServerResponse) {
  const peer = (req.socket as TLSSocket).getPeerCertificate();
  res.setHeader("Content-Type", "application/json");
  res.end(
    JSON.stringify({
      member: { Name: peer?.subject?.CN ?? "none" },
      token: req.headers["x-nomad-token"] ?? null,
    }),
  );
}

let plain: TestServer; // server cert for 127.0.0.1, client cert optional
let mutual: TestServer; // requires a client cert signed by the CA
let mutual12: TestServer; // the same, limited to TLS 1.2 (client certificate checked inside the handshake)
let named: TestServer; // cert only for server.global.nomad
beforeAll(async () => {
  plain = await httpsServer({ key: pki.server.key, cert: pki.server.cert }, whoami);
  mutual = await httpsServer(
    {
      key: pki.server.key,
      cert: pki.server.cert,
      ca: [pki.ca.cert],
      requestCert: true,
      rejectUnauthorized: true,
    },
    whoami,
  );
  mutual12 = await httpsServer(
    {
      key: pki.server.key,
      cert: pki.server.cert,
      ca: [pki.ca.cert],
      requestCert: true,
      maxVersion: "TLSv1.2",
    },
    whoami,
  );
  named = await httpsServer({ key: pki.namedServer.key, cert: pki.namedServer.cert }, whoami);
});
afterAll(async () => {
  await Promise.all([plain.close(), mutual.close(), mutual12.close(), named.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const get = (options: NomadClientOptions) =>
  createNomadClient({ timeoutMs: 3000, ...options }).GET("/v1/agent/self");

describe("HTTPS with a custom CA", () => {
  const ok: { name: string; options: () => NomadClientOptions }[] = [
    {
      name: "CA as PEM option",
      options: () => ({ address: plain.url, tls: { caCertPem: pki.ca.cert }, env: {} }),
    },
    { name: "NOMAD_CACERT", options: () => ({ env: { NOMAD_ADDR: plain.url, NOMAD_CACERT: files.ca } }) },
    { name: "NOMAD_CAPATH", options: () => ({ env: { NOMAD_ADDR: plain.url, NOMAD_CAPATH: files.caDir } }) },
    {
      name: "NOMAD_SKIP_VERIFY without CA",
      options: () => ({ env: { NOMAD_ADDR: plain.url, NOMAD_SKIP_VERIFY: "true" } }),
    },
    {
      name: "NOMAD_TLS_SERVER_NAME for a cert without the IP",
      options: () => ({
        env: { NOMAD_ADDR: named.url, NOMAD_CACERT: files.ca, NOMAD_TLS_SERVER_NAME: "server.global.nomad" },
      }),
    },
  ];
  it.each(ok)("connects: $name", async ({ options }) => {
    const { data, response } = await get({ token: "tls-token", ...options() });
    expect(response.status).toBe(200);
    expect(data).toEqual({ member: { Name: "none" }, token: "tls-token" });
  });

  const bad: { name: string; options: () => NomadClientOptions; errno: RegExp }[] = [
    {
      name: "no CA (platform fetch, default trust store)",
      options: () => ({ address: plain.url, env: {} }),
      errno: /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/,
    },
    {
      name: "an unrelated CA",
      options: () => ({ address: plain.url, tls: { caCertPem: pki.otherCa.cert }, env: {} }),
      errno: /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/,
    },
    {
      name: "a name mismatch without NOMAD_TLS_SERVER_NAME",
      options: () => ({ address: named.url, tls: { caCertPem: pki.ca.cert }, env: {} }),
      errno: /ERR_TLS_CERT_ALTNAME_INVALID/,
    },
    {
      name: "the wrong NOMAD_TLS_SERVER_NAME",
      options: () => ({
        env: { NOMAD_ADDR: named.url, NOMAD_CACERT: files.ca, NOMAD_TLS_SERVER_NAME: "client.global.nomad" },
      }),
      errno: /ERR_TLS_CERT_ALTNAME_INVALID/,
    },
  ];
  it.each(bad)("fails with NomadTlsError: $name", async ({ options, errno }) => {
    const error = await get(options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NomadTlsError);
    expect((error as NomadTlsError).errno).toMatch(errno);
  });
});

describe("mutual TLS", () => {
  it("presents the client certificate from NOMAD_CLIENT_CERT/NOMAD_CLIENT_KEY", async () => {
    const env = {
      NOMAD_ADDR: mutual.url,
      NOMAD_CACERT: files.ca,
      NOMAD_CLIENT_CERT: files.cert,
      NOMAD_CLIENT_KEY: files.key,
    };
    const { data } = await get({ env });
    expect(data).toEqual({ member: { Name: "cli-user" }, token: null });
  });

  it("presents a client certificate given as PEM options", async () => {
    const tls = { caCertPem: pki.ca.cert, clientCertPem: pki.client.cert, clientKeyPem: pki.client.key };
    const { data } = await get({ address: mutual.url, tls, env: {} });
    expect(data).toMatchObject({ member: { Name: "cli-user" } });
  });

  it("fails with NomadTlsError when the server requires a certificate and none is sent", async () => {
    const error = await get({ address: mutual.url, tls: { caCertPem: pki.ca.cert }, env: {} }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NomadTlsError);
  });

  it("fails with NomadTlsError when the client certificate comes from another CA (TLS 1.2: refused inside the handshake)", async () => {
    const stranger = makePki().client;
    const tls = { caCertPem: pki.ca.cert, clientCertPem: stranger.cert, clientKeyPem: stranger.key };
    const error = await get({ address: mutual12.url, tls, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NomadTlsError);
    expect((error as Error).message).toMatch(/before secure TLS connection/);
  });

  it("reports a TLS 1.3 server that drops a rejected client certificate as a reset (no alert reaches the client)", async () => {
    const stranger = makePki().client;
    const tls = { caCertPem: pki.ca.cert, clientCertPem: stranger.cert, clientKeyPem: stranger.key };
    const error = await get({ address: mutual.url, tls, env: {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "network", errno: "ECONNRESET" });
  });
});
