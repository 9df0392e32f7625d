/**
 * summary.md: a short Markdown summary sized for a GitHub Actions step summary — verdict, counts,
 * failing behaviours and a drift line. GitHub renders HTML in step summaries, so text is escaped.
 */
import type { RunResults } from "./model.ts";

const MAX_FAILURES = 50;
const MAX_DRIFT = 20;

/** Escapes text for Markdown table cells and inline use (HTML, pipes, emphasis, backticks). */
export function mdText(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|#])/g, "\\$1")
    .replace(/\s+/g, " ")
    .trim();
}

/** Inline code that cannot be broken out of (backticks removed). */
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

/** Renders summary.md. */
export function renderMarkdown(r: RunResults): string {
  const c = r.counts;
  const ok = r.verdict === "conformant";
  const facts = r.target.facts;
  const target = facts
    ? `${code(r.target.address)} (Nomad ${mdText(facts.version)}${facts.server ? ", server" : ""}${facts.client ? ", client" : ""})`
    : `${code(r.target.address)} (${r.target.kind})`;
  const lines = [
    `## ${ok ? "✅" : "❌"} Nomad conformance: ${ok ? "conformant" : "not conformant"}${r.interrupted ? " (run cancelled)" : ""}`,
    "",
    `Target ${target} · ${r.behaviours.length} behaviours · ${(r.durationMs / 1000).toFixed(1)} s · run ${code(r.runId)}`,
    "",
    "| pass | fail | error | skip | disabled |",
    "| ---: | ---: | ----: | ---: | -------: |",
    `| ${c.pass} | ${c.fail} | ${c.error} | ${c.skip} | ${c.disabled} |`,
  ];
  if (r.errors.length) {
    lines.push(
      "",
      "### Run errors",
      "",
      ...r.errors.slice(0, 10).map((e) => `- ${mdText(e.split("\n")[0] ?? "")}`),
    );
  }
  const failing = r.behaviours.filter((b) => b.status === "fail" || b.status === "error");
  if (failing.length) {
    lines.push("", `### Failing behaviours (${failing.length})`, "");
    for (const b of failing.slice(0, MAX_FAILURES)) {
      const first = (b.message ?? "").split("\n")[0]?.slice(0, 240) ?? "";
      lines.push(
        `- **${b.status}** ${code(b.id)} — ${mdText(b.testname)}${first ? `: ${mdText(first)}` : ""}`,
      );
    }
    if (failing.length > MAX_FAILURES)
      lines.push(`- … and ${failing.length - MAX_FAILURES} more (see report.html)`);
  }
  const d = r.drift;
  lines.push(
    "",
    "### Drift",
    "",
    `${d.unknownProperties.length} properties sent but not in the spec; ${d.neverSeen.length} declared but never seen (drift.json).`,
  );
  for (const f of d.unknownProperties.slice(0, MAX_DRIFT)) {
    lines.push(`- ${code(f.property)} in ${code(f.schema)} (${mdText(f.operations.join(", "))})`);
  }
  if (d.unknownProperties.length > MAX_DRIFT)
    lines.push(`- … and ${d.unknownProperties.length - MAX_DRIFT} more`);
  lines.push("", "Reports: results.json, junit.xml, report.html, drift.json.", "");
  return lines.join("\n");
}
