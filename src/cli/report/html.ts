/**
 * report.html: one self-contained page (inline CSS, no scripts, no external assets) with the
 * verdict, counts, the operation × check matrix linking to per-behaviour details (failure message,
 * request/response excerpts) and the drift report. Every dynamic string is HTML-escaped.
 */
import type { Exchange } from "../../conformance/types.ts";
import { type BehaviourResult, checksOf, type DriftFinding, type RunResults } from "./model.ts";
import type { Status } from "./status.ts";

/** A control character other than tab, newline and carriage return. */
const isControl = (code: number) =>
  (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f;

/** Escapes text for HTML element content and attribute values. */
export function esc(text: unknown): string {
  let out = "";
  for (const c of String(text ?? "")) {
    const code = c.charCodeAt(0);
    if (c === "&") out += "&amp;";
    else if (c === "<") out += "&lt;";
    else if (c === ">") out += "&gt;";
    else if (c === '"') out += "&quot;";
    else if (c === "'") out += "&#39;";
    // Control bytes from a hostile target (ESC, NUL…) are shown, not passed to the browser.
    else if (isControl(code)) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += c;
  }
  return out;
}

/** The fragment id of a behaviour's details. */
export const anchor = (id: string) => `b-${id.replace(/[^A-Za-z0-9_-]/g, "_")}`;

const CSS = `
:root{--pass:#1a7f37;--fail:#cf222e;--error:#8250df;--skip:#9a6700;--disabled:#8c959f;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328}
main{max-width:1320px;margin:0 auto;padding:24px}h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
.meta{color:#59636e;margin:0 0 12px}.verdict{display:inline-block;padding:4px 12px;border-radius:6px;color:#fff;font-weight:600;margin:8px 0}
.verdict.ok{background:var(--pass)}.verdict.bad{background:var(--fail)}
.counts{display:flex;gap:8px;flex-wrap:wrap;margin:8px 0}.chip{border:1px solid var(--line);border-radius:16px;padding:2px 12px;background:var(--bg)}
.s{display:inline-block;min-width:56px;text-align:center;border-radius:4px;padding:0 6px;color:#fff;font-size:12px;font-weight:600;text-transform:uppercase}
.s-pass{background:var(--pass)}.s-fail{background:var(--fail)}.s-error{background:var(--error)}.s-skip{background:var(--skip)}.s-disabled{background:var(--disabled)}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);position:sticky;top:0}td.c{text-align:center}tr.fam td{background:#eef1f4;font-weight:600}
td.c a{text-decoration:none}td code{word-break:break-all}.n{color:#59636e;font-size:12px}
details{border:1px solid var(--line);border-radius:6px;margin:6px 0;padding:0 10px}details[open]{padding-bottom:8px}
summary{cursor:pointer;padding:6px 0}summary code{font-weight:600}
pre{background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:8px;overflow-x:auto;white-space:pre-wrap;word-break:break-word;max-height:420px;overflow-y:auto;font-size:12px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0}dt{color:#59636e}dd{margin:0}
ul.errors li{color:var(--error)}`;

const badge = (s: Status) => `<span class="s s-${s}">${s}</span>`;

function matrix(r: RunResults): string {
  const checks = checksOf(r.behaviours);
  const head = `<tr><th>Operation</th><th>Status</th>${checks.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>`;
  const rows: string[] = [];
  let family = "";
  for (const op of r.operations) {
    if (op.family !== family) {
      family = op.family;
      rows.push(`<tr class="fam"><td colspan="${checks.length + 2}">${esc(family)}</td></tr>`);
    }
    const cells = checks.map((c) => {
      const list = r.behaviours.filter((b) => b.operation === op.operation && b.check === c);
      const status = op.checks[c];
      if (!status || list.length === 0) return `<td class="c n">—</td>`;
      const first = list.find((b) => b.status === status) ?? list[0];
      const title = list.map((b) => `${b.id}: ${b.status}`).join("\n");
      const more = list.length > 1 ? ` <span class="n">×${list.length}</span>` : "";
      return `<td class="c"><a href="#${esc(anchor(first?.id ?? ""))}" title="${esc(title)}">${badge(status)}</a>${more}</td>`;
    });
    rows.push(
      `<tr><td><code>${esc(op.operation)}</code></td><td class="c">${badge(op.status)}</td>${cells.join("")}</tr>`,
    );
  }
  return `<table>${head}${rows.join("")}</table>`;
}

function exchange(x: Exchange, i: number): string {
  const headers = (h: Record<string, string>) =>
    Object.entries(h)
      .map(([k, v]) => `${k}: ${v}`)
      .join("\n");
  let text = `${x.request.method} ${x.request.url}\n${headers(x.request.headers)}`;
  if (x.request.body) text += `\n\n${x.request.body}`;
  if (x.response) {
    text += `\n\n← ${x.response.status}\n${headers(x.response.headers)}\n\n${x.response.body}`;
    if (x.response.truncated) text += "\n… (cut)";
  }
  if (x.error) text += `\n\n✗ ${x.error}`;
  return `<p class="n">Exchange ${i + 1}</p><pre>${esc(text)}</pre>`;
}

function details(b: BehaviourResult): string {
  const open = b.status === "fail" || b.status === "error" ? " open" : "";
  const rows: [string, string][] = [
    ["Operation", `<code>${esc(b.operation)}</code> (${esc(b.family)})`],
    ["Check", esc(b.check)],
    ["Requires", esc(b.requires.join(", ") || "—")],
    ["File", esc(b.file ? `tests/conformance/${b.file}` : "—")],
  ];
  if (b.durationMs !== undefined) rows.push(["Duration", `${Math.round(b.durationMs)} ms`]);
  if (b.note) rows.push(["Note", esc(b.note)]);
  return `<details id="${esc(anchor(b.id))}"${open}><summary>${badge(b.status)} <code>${esc(b.id)}</code> ${esc(b.testname)}</summary>
<p>${esc(b.description)}</p><dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>
${b.message ? `<pre>${esc(b.message)}</pre>` : ""}${b.exchanges.map(exchange).join("")}</details>`;
}

function driftTable(list: DriftFinding[], empty: string): string {
  if (list.length === 0) return `<p class="n">${esc(empty)}</p>`;
  const rows = list.map(
    (f) =>
      `<tr><td><code>${esc(f.property)}</code></td><td><code>${esc(f.schema)}</code></td><td>${esc(f.operations.join(", "))}</td></tr>`,
  );
  return `<table><tr><th>Property</th><th>Schema</th><th>Operations</th></tr>${rows.join("")}</table>`;
}

/** Renders the whole page. */
export function renderHtml(r: RunResults): string {
  const ok = r.verdict === "conformant";
  const order: Status[] = ["pass", "fail", "error", "skip", "disabled"];
  const counts = order
    .filter((s) => s !== "disabled" || r.counts.disabled > 0)
    .map((s) => `<span class="chip">${badge(s)} ${r.counts[s]}</span>`)
    .join("");
  const failing = r.behaviours.filter((b) => b.status === "fail" || b.status === "error");
  const target = r.target.facts
    ? `${r.target.address} — Nomad ${r.target.facts.version}${r.target.facts.server ? " server" : ""}${r.target.facts.client ? " client" : ""}${r.target.facts.acl ? ", ACLs on" : ""}`
    : r.target.address;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Nomad conformance — ${esc(r.verdict)}</title><style>${CSS}</style></head><body><main>
<h1>Nomad HTTP API conformance</h1>
<p class="meta">Target: <code>${esc(target)}</code> (${esc(r.target.kind)}) · run ${esc(r.runId)} · ${esc(r.startedAt)} · ${(r.durationMs / 1000).toFixed(1)} s · ${esc(r.tool.name)} ${esc(r.tool.version)}</p>
<div class="verdict ${ok ? "ok" : "bad"}">${ok ? "Conformant" : "Not conformant"}${r.interrupted ? " (run cancelled)" : ""}</div>
<div class="counts">${counts}</div>
${r.errors.length ? `<h2>Run errors</h2><ul class="errors">${r.errors.map((e) => `<li><pre>${esc(e)}</pre></li>`).join("")}</ul>` : ""}
${failing.length ? `<h2>Failing behaviours (${failing.length})</h2><ul>${failing.map((b) => `<li>${badge(b.status)} <a href="#${esc(anchor(b.id))}"><code>${esc(b.id)}</code></a> ${esc(b.testname)}</li>`).join("")}</ul>` : ""}
<h2>Operations × checks</h2>
${matrix(r)}
<h2>Behaviours (${r.behaviours.length})</h2>
${r.behaviours.map(details).join("\n")}
<h2>Drift</h2>
<h3>Properties sent by the target but not in the spec (${r.drift.unknownProperties.length})</h3>
${driftTable(r.drift.unknownProperties, "None: every property the target sent is declared.")}
<h3>Properties in the spec never seen in a response (${r.drift.neverSeen.length})</h3>
${driftTable(r.drift.neverSeen, r.drift.observedSchemas.length ? "None: every declared property was seen." : "No response bodies were observed.")}
<h2>Run settings</h2>
<pre>${esc(JSON.stringify(r.config, null, 2))}</pre>
</main></body></html>
`;
}
