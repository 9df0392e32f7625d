/**
 * `--filter <id prefix>`: like distribution-spec's OCI_FILTER_TEST, a behaviour runs when its id
 * starts with the filter or the filter starts with its id. Vitest gets a test-name pattern (titles
 * are `<id>: <testname>`) and the test files of the selected behaviours.
 */
import type { Behaviour } from "../conformance/types.ts";

/** Whether behaviour `id` is selected by `filter` (no filter selects everything). */
export function matchesFilter(id: string, filter: string | undefined): boolean {
  if (!filter) return true;
  return id.startsWith(filter) || filter.startsWith(id);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/**
 * A pattern for vitest's `testNamePattern`, which is matched against the full name
 * `<file> <describe…> <id>: <testname>`: an id preceded by start or a space and followed by `: `.
 */
export function testNamePattern(ids: readonly string[]): RegExp {
  const alternatives = [...ids].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(`(?:^| )(?:${alternatives.join("|")}): `);
}

/** The behaviours `filter` selects, and the test files (relative to tests/conformance/) they live in. */
export function selectBehaviours(catalogue: readonly Behaviour[], filter: string | undefined) {
  const selected = catalogue.filter((b) => matchesFilter(b.id, filter));
  const files = [...new Set(selected.map((b) => b.file))].sort();
  return { selected, files };
}
