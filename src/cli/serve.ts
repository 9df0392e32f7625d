/**
 * `serve`: the built-in fixture agent as a real HTTP server (for `NOMAD_ADDR=http://127.0.0.1:4646`
 * experiments and for pointing other tools at it) until SIGINT or SIGTERM.
 */
import { randomUUID } from "node:crypto";
import { CliError } from "./errors.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Options of `serve`. */
export interface ServeOptions {
  port: number;
  host: string;
  acl: boolean;
  token?: string;
}

/**
 * Starts the server and resolves when a signal stopped it.
 * Note: a token given with --token or NOMAD_TOKEN is never echoed; one generated for --acl is
 * printed once, as `nomad acl bootstrap` does, since nobody else knows it.
 */
export async function serve(
  options: ServeOptions,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
) {
  const { createWorld, startFixtureServer } = await import("../fixtures/index.ts");
  const given = options.token ?? (process.env.NOMAD_TOKEN?.trim() || undefined);
  if (options.acl && given && !UUID.test(given)) {
    throw new CliError(
      `the ${options.token ? "--token" : "NOMAD_TOKEN"} value is not a UUID; Nomad secret IDs are UUIDs`,
    );
  }
  const token = options.acl ? (given ?? randomUUID()) : undefined;
  const world = createWorld({ acl: options.acl, ...(token ? { bootstrapToken: token } : {}) });
  let running: Awaited<ReturnType<typeof startFixtureServer>>;
  try {
    running = await startFixtureServer({ port: options.port, host: options.host, world });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new CliError(`port ${options.port} on ${options.host} is already in use`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
      throw new CliError(`cannot listen on ${options.host}: no such local address`);
    if (code === "EACCES") throw new CliError(`not allowed to listen on ${options.host}:${options.port}`);
    throw error;
  }
  log(
    `nomad-conformance: fixture agent listening on ${running.url} (ACLs ${options.acl ? "on" : "off"}); Ctrl-C stops it`,
  );
  if (options.acl && !given) log(`nomad-conformance: bootstrap management token: ${token}`);
  log(`  export NOMAD_ADDR=${running.url}`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", resolve).once("SIGTERM", resolve);
  });
  log(`nomad-conformance: ${signal}: stopping`);
  await running.close();
}
