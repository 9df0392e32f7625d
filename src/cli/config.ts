/**
 * Settings of a `run`: command-line flags > environment > `--config` YAML file > defaults. The
 * result also carries the environment the vitest workers get (they read it in target.ts).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import type { RunFlags } from "./args.ts";
import { parseMs } from "./args.ts";
import { CliError, messageOf } from "./errors.ts";

/** Where a setting came from (shown in results.json). */
export type Source = "flag" | "env" | "config" | "default";

/** The resolved settings of one run. */
export interface RunSettings {
  /** `fixtures`, or the agent address as given. */
  target: string;
  live: boolean;
  token: string | undefined;
  allowWrites: boolean;
  timeoutMs: number;
  filter: string | undefined;
  outDir: string;
  allocId: string | undefined;
  task: string | undefined;
  configFile: string | undefined;
  runId: string;
  sources: Record<"target" | "token" | "allowWrites" | "timeout" | "filter" | "out", Source>;
  /** Variables to set before vitest starts (workers inherit them). */
  env: Record<string, string>;
}

/** Keys of the YAML file and, for pass-through settings, the environment variable they feed. */
const PASS_THROUGH: Record<string, string> = {
  region: "NOMAD_REGION",
  namespace: "NOMAD_NAMESPACE",
  "tls.caCert": "NOMAD_CACERT",
  "tls.caPath": "NOMAD_CAPATH",
  "tls.clientCert": "NOMAD_CLIENT_CERT",
  "tls.clientKey": "NOMAD_CLIENT_KEY",
  "tls.serverName": "NOMAD_TLS_SERVER_NAME",
  "tls.skipVerify": "NOMAD_SKIP_VERIFY",
};
const TOP_KEYS = [
  "target",
  "token",
  "allowWrites",
  "timeout",
  "filter",
  "out",
  "allocId",
  "task",
  "region",
  "namespace",
  "tls",
];
const PATH_KEYS = new Set(["tls.caCert", "tls.caPath", "tls.clientCert", "tls.clientKey"]);

/** The YAML file flattened to dotted keys (`tls.caCert`), values as strings/booleans/numbers. */
export type FileSettings = Record<string, string | number | boolean>;

/** Reads and checks a settings file; unknown keys and wrong types are configuration errors. */
export function readConfigFile(path: string): FileSettings {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new CliError(
      `cannot read the config file ${path}: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}`,
    );
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new CliError(`${path} is not valid YAML: ${messageOf(error)}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc))
    throw new CliError(`${path} must hold a mapping of settings`);
  const out: FileSettings = {};
  const put = (key: string, value: unknown) => {
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      throw new CliError(`${path}: ${key} must be a string, number or boolean`);
    }
    out[key] = PATH_KEYS.has(key) && typeof value === "string" ? resolve(dirname(path), value) : value;
  };
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (!TOP_KEYS.includes(key))
      throw new CliError(`${path}: unknown key "${key}" (known: ${TOP_KEYS.join(", ")})`);
    if (key !== "tls") {
      put(key, value);
      continue;
    }
    if (!value || typeof value !== "object" || Array.isArray(value))
      throw new CliError(`${path}: tls must be a mapping`);
    for (const [sub, v] of Object.entries(value as Record<string, unknown>)) {
      if (!(`tls.${sub}` in PASS_THROUGH)) {
        const known = Object.keys(PASS_THROUGH).filter((k) => k.startsWith("tls."));
        throw new CliError(`${path}: unknown key "tls.${sub}" (known: ${known.join(", ")})`);
      }
      put(`tls.${sub}`, v);
    }
  }
  return out;
}

const TRUTHY = /^(1|t|true|yes|on)$/i;
const FALSY = /^(0|f|false|no|off)?$/i;

function parseBool(label: string, raw: string | number | boolean): boolean {
  if (typeof raw === "boolean") return raw;
  const s = String(raw).trim();
  if (TRUTHY.test(s)) return true;
  if (FALSY.test(s)) return false;
  throw new CliError(`${label} must be true or false, got ${JSON.stringify(String(raw))}`);
}

/** A run id that prefixes every object the suite creates on a live agent. */
export function newRunId(): string {
  return `nc-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Applies precedence flags > env > file > defaults. */
export function resolveRunSettings(
  flags: RunFlags,
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): RunSettings {
  const configFile = flags.config ? resolve(cwd, flags.config) : undefined;
  const file = configFile ? readConfigFile(configFile) : {};
  const envOf = (name: string) => (env[name]?.trim() ? (env[name] as string).trim() : undefined);
  const fileStr = (key: string) =>
    file[key] === undefined ? undefined : String(file[key]).trim() || undefined;
  const pick = <T>(
    flag: T | undefined,
    fromEnv: T | undefined,
    fromFile: T | undefined,
    fallback: T,
  ): [T, Source] =>
    flag !== undefined
      ? [flag, "flag"]
      : fromEnv !== undefined
        ? [fromEnv, "env"]
        : fromFile !== undefined
          ? [fromFile, "config"]
          : [fallback, "default"];

  const [target, targetSrc] = pick(
    flags.target?.trim(),
    envOf("NOMAD_CONFORMANCE_TARGET") ?? envOf("NOMAD_ADDR"),
    fileStr("target"),
    "fixtures",
  );
  if (!target) throw new CliError("--target must be a URL or fixtures");
  const [token, tokenSrc] = pick<string | undefined>(
    undefined,
    envOf("NOMAD_TOKEN"),
    fileStr("token"),
    undefined,
  );
  const envWrites = envOf("NOMAD_CONFORMANCE_ALLOW_WRITES");
  const [allowWrites, writesSrc] = pick(
    flags.allowWrites,
    envWrites === undefined ? undefined : parseBool("NOMAD_CONFORMANCE_ALLOW_WRITES", envWrites),
    file.allowWrites === undefined ? undefined : parseBool(`${configFile}: allowWrites`, file.allowWrites),
    false,
  );
  const envTimeout = envOf("NOMAD_CONFORMANCE_TIMEOUT");
  const [timeoutMs, timeoutSrc] = pick(
    flags.timeout,
    envTimeout === undefined ? undefined : parseMs("NOMAD_CONFORMANCE_TIMEOUT", envTimeout),
    file.timeout === undefined ? undefined : parseMs(`${configFile}: timeout`, String(file.timeout)),
    10_000,
  );
  const [filter, filterSrc] = pick<string | undefined>(
    flags.filter?.trim() || undefined,
    undefined,
    fileStr("filter"),
    undefined,
  );
  const [out, outSrc] = pick(flags.out, undefined, fileStr("out"), "./conformance-results");
  const allocId = envOf("NOMAD_CONFORMANCE_ALLOC_ID") ?? fileStr("allocId");
  const task = envOf("NOMAD_CONFORMANCE_TASK") ?? fileStr("task");
  const live = target !== "fixtures";
  const runId = envOf("NOMAD_CONFORMANCE_RUN_ID") ?? newRunId();

  const runEnv: Record<string, string> = {
    NOMAD_CONFORMANCE_TARGET: target,
    NOMAD_CONFORMANCE_ALLOW_WRITES: allowWrites ? "1" : "0",
    NOMAD_CONFORMANCE_TIMEOUT: String(timeoutMs),
    NOMAD_CONFORMANCE_RUN_ID: runId,
  };
  if (live) runEnv.NOMAD_ADDR = target;
  if (token) runEnv.NOMAD_TOKEN = token;
  if (allocId) runEnv.NOMAD_CONFORMANCE_ALLOC_ID = allocId;
  if (task) runEnv.NOMAD_CONFORMANCE_TASK = task;
  for (const [key, name] of Object.entries(PASS_THROUGH)) {
    if (file[key] !== undefined && envOf(name) === undefined) runEnv[name] = String(file[key]);
  }
  return {
    target,
    live,
    token,
    allowWrites,
    timeoutMs,
    filter,
    outDir: resolve(configFile && outSrc === "config" ? dirname(configFile) : cwd, out),
    allocId,
    task,
    configFile,
    runId,
    sources: {
      target: targetSrc,
      token: tokenSrc,
      allowWrites: writesSrc,
      timeout: timeoutSrc,
      filter: filterSrc,
      out: outSrc,
    },
    env: runEnv,
  };
}
