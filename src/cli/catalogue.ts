/**
 * The catalogue and bundled spec as the CLI needs them: loaded once, with one readable error when
 * the spec bundle or behaviours.yaml is missing or broken (exit 2), and `list` / `explain` output.
 */
import { existsSync } from "node:fs";
import { cataloguePath, loadCatalogue } from "../conformance/catalogue.ts";
import type { Behaviour } from "../conformance/types.ts";
import { bundledSpecPath, listOperations, loadBundledSpec, type SpecNode } from "../spec/load.ts";
import { CliError, messageOf, suggest } from "./errors.ts";
import { matchesFilter } from "./filter.ts";

/** The catalogue, the spec and operation → family (first spec tag). */
export interface CatalogueData {
  catalogue: Behaviour[];
  spec: SpecNode;
  families: Record<string, string>;
}

/** Loads the catalogue; bundles the spec first when dist/openapi.json is missing (a fresh clone). */
export async function loadCatalogueData(): Promise<CatalogueData> {
  if (!existsSync(bundledSpecPath)) {
    try {
      const { bundleSpec } = await import("../../scripts/bundle.ts");
      bundleSpec();
    } catch (error) {
      throw new CliError(
        `the bundled spec ${bundledSpecPath} is missing and bundling failed (${messageOf(error)}): run npm run bundle`,
      );
    }
  }
  let spec: SpecNode;
  let catalogue: Behaviour[];
  try {
    spec = loadBundledSpec();
  } catch (error) {
    throw new CliError(`cannot read the bundled spec ${bundledSpecPath}: ${messageOf(error)}`);
  }
  try {
    catalogue = loadCatalogue();
  } catch (error) {
    throw new CliError(`cannot load the behaviour catalogue ${cataloguePath}: ${messageOf(error)}`);
  }
  const families: Record<string, string> = {};
  for (const op of listOperations(spec)) families[op["x-nomad-operation"]] ??= op.tags[0] ?? "Other";
  return { catalogue, spec, families };
}

/** `list`: one line per behaviour (id, requirements, test name), or JSON. */
export function renderList(
  catalogue: readonly Behaviour[],
  filter: string | undefined,
  json: boolean,
): string {
  const list = catalogue.filter((b) => matchesFilter(b.id, filter));
  if (filter && list.length === 0) throw noMatch(catalogue, filter);
  if (json) return `${JSON.stringify(list, null, 2)}\n`;
  const width = Math.max(...list.map((b) => b.id.length), 2);
  const reqWidth = Math.max(...list.map((b) => b.requires.join(",").length), 8);
  const lines = list.map(
    (b) =>
      `${b.id.padEnd(width)}  ${(b.requires.join(",") || "-").padEnd(reqWidth)}  ${b.deprecated ? "[deprecated] " : ""}${b.testname}`,
  );
  return `${["ID".padEnd(width), "REQUIRES".padEnd(reqWidth), "TEST"].join("  ")}\n${lines.join("\n")}\n${list.length} behaviours\n`;
}

/** A "no behaviour matches" usage error with suggestions. */
export function noMatch(catalogue: readonly Behaviour[], input: string, what = "--filter"): CliError {
  const ids = catalogue.map((b) => b.id);
  const prefixes = [
    ...new Set(ids.flatMap((id) => id.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/")))),
  ];
  const hints = suggest(input, what === "--filter" ? prefixes : ids);
  const hint = hints.length ? `; did you mean ${hints.map((h) => JSON.stringify(h)).join(" or ")}?` : "";
  return new CliError(
    `no behaviour matches ${what} ${JSON.stringify(input)}${hint} (see nomad-conformance list)`,
  );
}

/** `explain <id>`: the full catalogue entry. */
export function renderExplain(catalogue: readonly Behaviour[], id: string, json: boolean): string {
  const b = catalogue.find((x) => x.id === id);
  if (!b) throw noMatch(catalogue, id, "id");
  if (json) return `${JSON.stringify(b, null, 2)}\n`;
  const rows: [string, string | undefined][] = [
    ["id", b.id],
    ["test", `${b.id}: ${b.testname}`],
    ["operation", b.operation],
    ["check", b.check],
    ["requires", b.requires.join(", ") || "nothing"],
    ["since", b.since],
    ["until", b.until],
    ["source", b.source],
    ["file", `tests/conformance/${b.file}`],
    ["derived", b.derived ? "yes (from the spec)" : undefined],
    ["deprecated", b.deprecated ? "yes" : undefined],
  ];
  const shown = rows.filter((r): r is [string, string] => r[1] !== undefined);
  return `${shown.map(([k, v]) => `${k.padEnd(11)}${v}`).join("\n")}\n\n${b.description}\n`;
}
