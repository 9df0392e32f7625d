/**
 * The status ladder `disabled < skip < pass < fail < error` (distribution-spec's results.go): a
 * parent (an operation, a family, a matrix cell) takes the highest status among its children.
 */

/** Status values from lowest to highest. */
export const STATUSES = ["disabled", "skip", "pass", "fail", "error"] as const;

/** One rung of the ladder. */
export type Status = (typeof STATUSES)[number];

/** Counts per status. */
export type Counts = Record<Status, number>;

const rank = (s: Status) => STATUSES.indexOf(s);

/** The higher of two statuses. */
export function higher(a: Status, b: Status): Status {
  return rank(a) >= rank(b) ? a : b;
}

/** The highest status among `children`; `disabled` when there are none. */
export function rollUp(children: Iterable<Status>): Status {
  let out: Status = "disabled";
  for (const s of children) out = higher(out, s);
  return out;
}

/** Zeroed counts. */
export function emptyCounts(): Counts {
  return { disabled: 0, skip: 0, pass: 0, fail: 0, error: 0 };
}

/** Counts of the statuses in `list`. */
export function countStatuses(list: Iterable<Status>): Counts {
  const c = emptyCounts();
  for (const s of list) c[s]++;
  return c;
}

/** Conformant: nothing failed and the harness did not break. */
export function isConformant(counts: Counts): boolean {
  return counts.fail === 0 && counts.error === 0;
}
