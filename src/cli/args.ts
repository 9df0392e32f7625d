/**
 * Command-line parsing for `nomad-conformance run|list|explain <id>|serve` with node:util
 * `parseArgs` in strict mode: an unknown flag, a missing value or a stray argument is one clear
 * message and exit 2.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { CliError } from "./errors.ts";

/** Flags of `run`, as given (undefined when absent; precedence is applied in config.ts). */
export interface RunFlags {
  target?: string;
  filter?: string;
  allowWrites?: boolean;
  timeout?: number;
  out?: string;
  config?: string;
}

/** A parsed command line. */
export type Command =
  | { command: "run"; flags: RunFlags }
  | { command: "list"; filter?: string; json: boolean }
  | { command: "explain"; id: string; json: boolean }
  | { command: "serve"; port: number; host: string; acl: boolean; token?: string }
  | { command: "help"; text: string }
  | { command: "version" };

const MAX_TIMEOUT_MS = 2_147_483_647;

/** Usage text per command. */
export const USAGE = {
  main: `Usage: nomad-conformance <command> [options]

Commands:
  run              run the conformance suite against the fixture agent or a live Nomad agent
  list             list every behaviour (id, requirements, test name)
  explain <id>     print the catalogue entry of one behaviour
  serve            run the built-in fixture agent as an HTTP server

Run "nomad-conformance <command> --help" for the options of a command.
Exit codes: 0 conformant, 1 not conformant, 2 usage, configuration or connection error.`,
  run: `Usage: nomad-conformance run [options]

  --target <url>|fixtures  agent to test (default: NOMAD_ADDR if set, else the built-in fixtures)
  --filter <id-prefix>     run only behaviours whose id starts with it (or that it starts with)
  --allow-writes           allow requests that change cluster state (live targets)
  --timeout <ms>           bound on every request (default 10000)
  --out <dir>              report directory (default ./conformance-results)
  --config <file.yaml>     settings file; precedence: flags > environment > file > defaults

Environment: NOMAD_ADDR, NOMAD_TOKEN, NOMAD_REGION, NOMAD_NAMESPACE, NOMAD_CACERT, NOMAD_CAPATH,
NOMAD_CLIENT_CERT, NOMAD_CLIENT_KEY, NOMAD_TLS_SERVER_NAME, NOMAD_SKIP_VERIFY,
NOMAD_CONFORMANCE_TARGET, NOMAD_CONFORMANCE_ALLOW_WRITES, NOMAD_CONFORMANCE_TIMEOUT,
NOMAD_CONFORMANCE_ALLOC_ID, NOMAD_CONFORMANCE_TASK.`,
  list: `Usage: nomad-conformance list [--filter <id-prefix>] [--json]`,
  explain: `Usage: nomad-conformance explain <id> [--json]`,
  serve: `Usage: nomad-conformance serve [--port 4646] [--host 127.0.0.1] [--acl] [--token <secret>]

  --port <n>        TCP port (default 4646; 0 picks a free one)
  --host <addr>     interface to listen on (default 127.0.0.1)
  --acl             enable ACLs in the fixture world
  --token <secret>  bootstrap management token (with --acl; default: NOMAD_TOKEN)`,
} as const;

type Spec = NonNullable<ParseArgsConfig["options"]>;

/** Runs parseArgs and turns its errors into one-line CliErrors naming the command. */
function parse(
  command: keyof typeof USAGE,
  args: string[],
  options: Spec,
  positionals = 0,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: true,
    }) as { values: Record<string, string | boolean | undefined>; positionals: string[] };
    if (parsed.positionals.length > positionals) {
      throw new CliError(
        `unexpected argument ${JSON.stringify(parsed.positionals[positionals])} for "${command}"\n${USAGE[command]}`,
      );
    }
    return parsed;
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as { code?: string }).code ?? "";
    // The offending option is quoted in Node's message; never echo a value given with `=`.
    const name = (/'([^']+)'/.exec((error as Error).message)?.[1] ?? "").split(/[= ]/)[0] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      throw new CliError(`unknown option ${name} for "${command}" (see nomad-conformance ${command} --help)`);
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      throw new CliError(
        `option ${name.replace(/^-\w, /, "")} needs a value (see nomad-conformance ${command} --help)`,
      );
    }
    throw new CliError(`cannot parse the "${command}" arguments (see nomad-conformance ${command} --help)`);
  }
}

/** A positive integer of milliseconds, or a usage error naming the flag. */
export function parseMs(flag: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n <= 0 || n > MAX_TIMEOUT_MS) {
    throw new CliError(
      `${flag} must be a positive whole number of milliseconds (1..${MAX_TIMEOUT_MS}), got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

function parsePort(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n > 65_535)
    throw new CliError(`--port must be 0..65535, got ${JSON.stringify(raw)}`);
  return n;
}

const str = { type: "string" } as const;
const bool = { type: "boolean" } as const;

/** Parses `argv` (without node and script). */
export function parseCommandLine(argv: string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === "help" || first === "--help" || first === "-h") {
    const topic = first === "help" ? rest[0] : undefined;
    return {
      command: "help",
      text: topic && topic in USAGE ? USAGE[topic as keyof typeof USAGE] : USAGE.main,
    };
  }
  if (first === "--version" || first === "-v" || first === "version") return { command: "version" };
  switch (first) {
    case "run": {
      const { values: v } = parse("run", rest, {
        target: str,
        filter: str,
        "allow-writes": bool,
        timeout: str,
        out: str,
        config: str,
      });
      if (v.help) return { command: "help", text: USAGE.run };
      const flags: RunFlags = {};
      if (v.target !== undefined) flags.target = String(v.target);
      if (v.filter !== undefined) flags.filter = String(v.filter);
      if (v["allow-writes"]) flags.allowWrites = true;
      if (v.timeout !== undefined) flags.timeout = parseMs("--timeout", String(v.timeout));
      if (v.out !== undefined) flags.out = String(v.out);
      if (v.config !== undefined) flags.config = String(v.config);
      return { command: "run", flags };
    }
    case "list": {
      const { values: v } = parse("list", rest, { filter: str, json: bool });
      if (v.help) return { command: "help", text: USAGE.list };
      return {
        command: "list",
        json: Boolean(v.json),
        ...(v.filter !== undefined ? { filter: String(v.filter) } : {}),
      };
    }
    case "explain": {
      const { values: v, positionals } = parse("explain", rest, { json: bool }, 1);
      if (v.help) return { command: "help", text: USAGE.explain };
      if (!positionals[0]) throw new CliError(`explain needs a behaviour id\n${USAGE.explain}`);
      return { command: "explain", id: positionals[0], json: Boolean(v.json) };
    }
    case "serve": {
      const { values: v } = parse("serve", rest, { port: str, host: str, acl: bool, token: str });
      if (v.help) return { command: "help", text: USAGE.serve };
      return {
        command: "serve",
        port: v.port === undefined ? 4646 : parsePort(String(v.port)),
        host: v.host === undefined ? "127.0.0.1" : String(v.host),
        acl: Boolean(v.acl),
        ...(v.token !== undefined ? { token: String(v.token) } : {}),
      };
    }
    default:
      throw new CliError(
        `unknown command ${JSON.stringify(first)}: expected run, list, explain or serve\n${USAGE.main}`,
      );
  }
}
