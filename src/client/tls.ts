/**
 * TLS settings as the Nomad CLI reads them (`api.TLSConfig`): CA file or directory, client
 * certificate and key, server name, skip-verify. Files are read and checked once, at client creation.
 * @see https://developer.hashicorp.com/nomad/docs/commands#environment-variables
 */
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { NomadConfigError } from "./errors.ts";

/** TLS options; file paths mirror NOMAD_CACERT etc., `*Pem` fields take the PEM text directly. */
export interface NomadTlsOptions {
  /** Path to a PEM file with one or more CA certificates (NOMAD_CACERT). */
  caCert?: string;
  /** Path to a directory of PEM CA certificates (NOMAD_CAPATH). */
  caPath?: string;
  /** Path to the PEM client certificate (NOMAD_CLIENT_CERT). */
  clientCert?: string;
  /** Path to the PEM client key (NOMAD_CLIENT_KEY). */
  clientKey?: string;
  /** CA certificate(s) as PEM text (instead of `caCert`). */
  caCertPem?: string;
  /** Client certificate as PEM text (instead of `clientCert`). */
  clientCertPem?: string;
  /** Client key as PEM text (instead of `clientKey`). */
  clientKeyPem?: string;
  /** Name to send as SNI and to verify the server certificate against (NOMAD_TLS_SERVER_NAME). */
  serverName?: string;
  /** Skip server certificate verification (NOMAD_SKIP_VERIFY). */
  insecure?: boolean;
}

/** Resolved settings in the shape of Node's `tls.connect` options. */
export interface ResolvedTls {
  ca?: string[];
  cert?: string;
  key?: string;
  servername?: string;
  rejectUnauthorized: boolean;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readText(setting: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "read error";
    throw new NomadConfigError(setting, `cannot read ${path} (${code})`, error);
  }
}

/** Splits PEM text into certificate blocks, checking each parses. */
export function parseCertificates(setting: string, source: string, pem: string): string[] {
  const blocks = pem.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) throw new NomadConfigError(setting, `no PEM certificate found in ${source}`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new NomadConfigError(setting, `invalid PEM certificate in ${source}`, error);
    }
  }
  return blocks;
}

function loadCaPath(setting: string, dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "read error";
    throw new NomadConfigError(setting, `cannot read directory ${dir} (${code})`, error);
  }
  const certs: string[] = [];
  for (const name of names) {
    const file = join(dir, name);
    if (!statSync(file).isFile()) continue;
    certs.push(...parseCertificates(setting, file, readText(setting, file)));
  }
  if (certs.length === 0) throw new NomadConfigError(setting, `no certificate files in ${dir}`);
  return certs;
}

/** Options first, then environment, like `api.DefaultConfig`; undefined when nothing TLS is set. */
export function resolveTls(
  options: NomadTlsOptions | undefined,
  env: Record<string, string | undefined>,
  parseBool: (setting: string, value: string) => boolean,
): ResolvedTls | undefined {
  const pick = (value: string | undefined, name: string) => value || env[name] || undefined;
  const caCert = options?.caCertPem ? undefined : pick(options?.caCert, "NOMAD_CACERT");
  const caPath = pick(options?.caPath, "NOMAD_CAPATH");
  const clientCert = options?.clientCertPem ? undefined : pick(options?.clientCert, "NOMAD_CLIENT_CERT");
  const clientKey = options?.clientKeyPem ? undefined : pick(options?.clientKey, "NOMAD_CLIENT_KEY");
  const serverName = pick(options?.serverName, "NOMAD_TLS_SERVER_NAME");
  const skipVerify = env.NOMAD_SKIP_VERIFY;
  const insecure =
    options?.insecure ?? (skipVerify ? parseBool("NOMAD_SKIP_VERIFY", skipVerify) : undefined) ?? false;

  const ca: string[] = [];
  if (options?.caCertPem) ca.push(...parseCertificates("tls.caCertPem", "the given PEM", options.caCertPem));
  if (caCert) {
    const setting = options?.caCert ? "tls.caCert" : "NOMAD_CACERT";
    ca.push(...parseCertificates(setting, caCert, readText(setting, caCert)));
  }
  if (caPath) ca.push(...loadCaPath(options?.caPath ? "tls.caPath" : "NOMAD_CAPATH", caPath));

  const cert = options?.clientCertPem ?? (clientCert ? readText("NOMAD_CLIENT_CERT", clientCert) : undefined);
  const key = options?.clientKeyPem ?? (clientKey ? readText("NOMAD_CLIENT_KEY", clientKey) : undefined);
  if ((cert === undefined) !== (key === undefined)) {
    throw new NomadConfigError(
      cert === undefined ? "NOMAD_CLIENT_CERT" : "NOMAD_CLIENT_KEY",
      "a client certificate and a client key must be given together",
    );
  }
  if (cert !== undefined && key !== undefined) {
    const [leaf] = parseCertificates("NOMAD_CLIENT_CERT", clientCert ?? "tls.clientCertPem", cert);
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(key);
    } catch (error) {
      throw new NomadConfigError(
        "NOMAD_CLIENT_KEY",
        `invalid PEM private key in ${clientKey ?? "tls.clientKeyPem"}`,
        error,
      );
    }
    if (leaf && !new X509Certificate(leaf).checkPrivateKey(privateKey)) {
      throw new NomadConfigError(
        "NOMAD_CLIENT_KEY",
        "the client key does not belong to the client certificate",
      );
    }
  }

  if (ca.length === 0 && cert === undefined && !serverName && !insecure) return undefined;
  return {
    ...(ca.length > 0 ? { ca } : {}),
    ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
    ...(serverName ? { servername: serverName } : {}),
    rejectUnauthorized: !insecure,
  };
}
