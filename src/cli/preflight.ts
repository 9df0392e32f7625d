/**
 * Preflight of a live target before vitest starts: `GET /v1/agent/self` with the token and the
 * timeout. Anything that stops the suite from running at all (bad address, unreachable, TLS,
 * refused token, not a Nomad agent) becomes one readable CliError with exit code 2.
 */
import { createNomadClient } from "../client/createNomadClient.ts";
import {
  NomadConfigError,
  type NomadError,
  NomadMalformedResponseError,
  NomadNetworkError,
  NomadTimeoutError,
  NomadTlsError,
} from "../client/errors.ts";
import { readBounded } from "../conformance/http.ts";
import { redact } from "../conformance/redact.ts";
import { type AgentFacts, factsFromSelf } from "../conformance/target.ts";
import type { RunSettings } from "./config.ts";
import { CliError, messageOf } from "./errors.ts";

/** Bound on the /v1/agent/self body (real ones are a few tens of KiB). */
const MAX_SELF_BYTES = 4 * 1024 * 1024;

const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: "connection refused (is the agent running and listening there?)",
  ENOTFOUND: "host name not found (DNS)",
  EAI_AGAIN: "host name lookup failed (DNS)",
  ECONNRESET: "the connection was reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOENT: "no such socket",
  EACCES: "permission denied on the socket",
  UND_ERR_SOCKET: "the connection was closed",
};

/** The part of a client error message after `METHOD /path: `. */
const detailOf = (error: NomadError) =>
  error.message.replace(/^[A-Z]+ \S+: (network error: |TLS error: )?/, "");

function fromClientError(error: unknown, address: string, settingLabel: string, timeoutMs: number): CliError {
  if (error instanceof NomadConfigError) {
    const what = error.setting === "NOMAD_ADDR" || error.setting === "address" ? settingLabel : error.setting;
    return new CliError(`invalid ${what}: ${error.message.replace(/^[^:]+: /, "")}`);
  }
  if (error instanceof NomadTimeoutError) {
    return new CliError(`cannot reach ${address}: no answer to GET /v1/agent/self within ${timeoutMs} ms`);
  }
  if (error instanceof NomadTlsError) {
    return new CliError(
      `TLS handshake with ${address} failed: ${detailOf(error)} (check NOMAD_CACERT, NOMAD_TLS_SERVER_NAME, NOMAD_CLIENT_CERT/KEY)`,
    );
  }
  if (error instanceof NomadNetworkError) {
    const known = error.errno ? ERRNO_TEXT[error.errno] : undefined;
    return new CliError(`cannot reach ${address}: ${known ?? detailOf(error)}`);
  }
  if (error instanceof NomadMalformedResponseError) {
    return new CliError(`${address} does not look like a Nomad agent: ${detailOf(error)}`);
  }
  return new CliError(`cannot reach ${address}: ${messageOf(error)}`);
}

/** Which setting the address came from, for messages. */
function labelOf(settings: RunSettings): string {
  if (settings.sources.target === "flag") return "--target";
  if (settings.sources.target === "config") return `target in ${settings.configFile}`;
  return process.env.NOMAD_CONFORMANCE_TARGET?.trim() ? "NOMAD_CONFORMANCE_TARGET" : "NOMAD_ADDR";
}

/** Checks the live target answers like a Nomad agent; returns what it says about itself. */
export async function preflight(
  settings: RunSettings,
  env: Record<string, string | undefined> = process.env,
): Promise<AgentFacts> {
  const label = labelOf(settings);
  const shown = redact(settings.target);
  const timeoutMs = settings.timeoutMs;
  let client: ReturnType<typeof createNomadClient>;
  try {
    client = createNomadClient({
      address: settings.target,
      token: settings.token,
      timeoutMs,
      env: { ...env, ...settings.env },
    });
  } catch (error) {
    throw fromClientError(error, shown, label, timeoutMs);
  }
  const address = redact(client.config.address);
  let body: Awaited<ReturnType<typeof readBounded>>;
  try {
    const { response } = await client.GET("/v1/agent/self", { parseAs: "stream" });
    if (response.status === 403) {
      await response.body?.cancel().catch(() => {});
      throw new CliError(
        `the token was refused by ${address} (403 Permission denied): NOMAD_TOKEN must be a management token or hold agent:read`,
      );
    }
    body = await readBounded(response, { maxBytes: MAX_SELF_BYTES, timeoutMs });
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (/did not end within/.test(messageOf(error))) {
      throw new CliError(
        `cannot reach ${address}: the /v1/agent/self body did not arrive within ${timeoutMs} ms`,
      );
    }
    throw fromClientError(error, address, label, timeoutMs);
  }
  if (body.status < 200 || body.status > 299) {
    const text = body.text.replace(/\s+/g, " ").trim().slice(0, 200);
    throw new CliError(
      redact(`${address} answered ${body.status} to GET /v1/agent/self${text ? `: ${text}` : ""}`),
    );
  }
  if (body.truncated)
    throw new CliError(
      `${address} sent more than ${MAX_SELF_BYTES} bytes for /v1/agent/self: not a Nomad agent?`,
    );
  let self: unknown;
  try {
    self = JSON.parse(body.text);
  } catch {
    const type = body.contentType ?? "no content type";
    throw new CliError(
      `${address} does not look like a Nomad agent: GET /v1/agent/self answered ${type}, not JSON`,
    );
  }
  try {
    return factsFromSelf(self);
  } catch (error) {
    throw new CliError(`${address} does not look like a Nomad agent: ${messageOf(error)}`);
  }
}

/** The facts of the built-in fixture agent (its default world), for the reports. */
export async function fixtureFacts(): Promise<AgentFacts> {
  const { createWorld } = await import("../fixtures/world.ts");
  const { agent } = createWorld();
  return {
    version: agent.version,
    server: agent.server,
    client: agent.client,
    acl: false,
    management: true,
    debug: agent.enableDebug,
    region: agent.region,
    nodeId: undefined,
    serverName: undefined,
  };
}
