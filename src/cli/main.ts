/**
 * `nomad-conformance run|list|explain <id>|serve`. Exit codes: 0 conformant, 1 not conformant,
 * 2 usage, configuration or connection error. No stack trace reaches the user: everything thrown
 * ends as one `nomad-conformance: <message>` line, redacted.
 * @see ../../README.md
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { addSecret, redact } from "../conformance/redact.ts";
import { type Command, parseCommandLine } from "./args.ts";
import { loadCatalogueData, noMatch, renderExplain, renderList } from "./catalogue.ts";
import { resolveRunSettings } from "./config.ts";
import { CliError, EXIT, messageOf } from "./errors.ts";
import { selectBehaviours } from "./filter.ts";
import { fixtureFacts, preflight } from "./preflight.ts";

/** The package version, for reports and --version. */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(
      readFileSync(fileURLToPath(new URL("../../package.json", import.meta.url)), "utf8"),
    );
    return String(pkg.version ?? "0.0.0");
  } catch {
    return "0.0.0";
  }
}

/** Writes text to stdout and waits until it is flushed (so process.exit cannot cut it). */
function out(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (!text) resolve();
    else process.stdout.write(redact(text), () => resolve());
  });
}

async function execute(cmd: Command): Promise<number> {
  switch (cmd.command) {
    case "help":
      await out(`${cmd.text}\n`);
      return EXIT.conformant;
    case "version":
      await out(`nomad-conformance ${packageVersion()}\n`);
      return EXIT.conformant;
    case "list": {
      const { catalogue } = await loadCatalogueData();
      await out(renderList(catalogue, cmd.filter, cmd.json));
      return EXIT.conformant;
    }
    case "explain": {
      const { catalogue } = await loadCatalogueData();
      await out(renderExplain(catalogue, cmd.id, cmd.json));
      return EXIT.conformant;
    }
    case "serve": {
      const { serve } = await import("./serve.ts");
      if (cmd.token) addSecret(cmd.token);
      await serve(cmd);
      return EXIT.conformant;
    }
    case "run": {
      const settings = resolveRunSettings(cmd.flags);
      addSecret(settings.token);
      // Connection problems first: they are the most common reason a run cannot start.
      const facts = settings.live ? await preflight(settings) : await fixtureFacts();
      const data = await loadCatalogueData();
      if (selectBehaviours(data.catalogue, settings.filter).selected.length === 0) {
        throw noMatch(data.catalogue, settings.filter ?? "");
      }
      const { runSuite } = await import("./run.ts");
      const { exitCode } = await runSuite({ settings, ...data, facts, version: packageVersion() });
      return exitCode;
    }
  }
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await execute(parseCommandLine(argv));
  } catch (error) {
    const text = error instanceof CliError ? error.message : `unexpected error: ${messageOf(error)}`;
    await new Promise<void>((resolve) =>
      process.stderr.write(`nomad-conformance: ${redact(text)}\n`, () => resolve()),
    );
    return error instanceof CliError ? error.exitCode : EXIT.usage;
  }
}

// `tsx src/cli/main.ts …` runs the CLI directly; bin/nomad-conformance.js imports main() instead.
if (process.argv[1] && /cli[/\\]main\.ts$/.test(process.argv[1])) {
  process.exit(await main(process.argv.slice(2)));
}
