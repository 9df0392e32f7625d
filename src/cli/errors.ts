/**
 * Errors the CLI reports as one line (`nomad-conformance: <message>`) and the exit codes it uses:
 * 0 conformant, 1 not conformant, 2 usage, configuration or connection error.
 */

/** Exit codes of `nomad-conformance`. */
export const EXIT = { conformant: 0, notConformant: 1, usage: 2 } as const;

/** An error with a message meant for the user and the exit code it maps to (2 unless told). */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.usage) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** The one-line message of anything thrown, without a stack trace. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0] || error.name;
  return String(error);
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}

/** Up to `max` candidates closest to `input`: those sharing its prefix first, then by edit distance. */
export function suggest(input: string, candidates: readonly string[], max = 3): string[] {
  const scored = candidates.map((c) => ({
    c,
    score: c.startsWith(input) || input.startsWith(c) ? 0 : distance(input, c),
  }));
  const limit = Math.max(3, Math.floor(input.length / 3));
  return scored
    .filter((s) => s.score <= limit)
    .sort((x, y) => x.score - y.score || x.c.localeCompare(y.c))
    .slice(0, max)
    .map((s) => s.c);
}
