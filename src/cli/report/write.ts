/**
 * Writes the report files. Every byte goes through `redact()`, so a token registered with
 * `addSecret()` never reaches a file, whatever text carried it there.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { redact } from "../../conformance/redact.ts";
import { renderHtml } from "./html.ts";
import { renderMarkdown } from "./markdown.ts";
import type { RunResults } from "./model.ts";

/** Writes `text` to `path` after redaction. */
export function writeRedacted(path: string, text: string): void {
  writeFileSync(path, redact(text));
}

/** Copies `from` to `to` through redaction (for files other reporters wrote), then removes `from`. */
export function moveRedacted(from: string, to: string): boolean {
  let text: string;
  try {
    text = readFileSync(from, "utf8");
  } catch {
    return false;
  }
  writeRedacted(to, text);
  rmSync(from, { force: true });
  return true;
}

/** The report files written into the output directory. */
export const REPORT_FILES = ["results.json", "report.html", "summary.md", "drift.json"] as const;

/** Writes results.json, report.html, summary.md and drift.json into `dir`. */
export function writeReports(dir: string, results: RunResults): void {
  mkdirSync(dir, { recursive: true });
  writeRedacted(join(dir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeRedacted(
    join(dir, "drift.json"),
    `${JSON.stringify({ runId: results.runId, ...results.drift }, null, 2)}\n`,
  );
  writeRedacted(join(dir, "summary.md"), renderMarkdown(results));
  writeRedacted(join(dir, "report.html"), renderHtml(results));
}
