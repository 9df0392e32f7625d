/**
 * Blocking-query metadata from `X-Nomad-Index`, `X-Nomad-KnownLeader`, `X-Nomad-LastContact`,
 * parsed like the Go client's `parseQueryMeta` (api/api.go). Fields are absent when the header is.
 * Note: most agent/client/operator endpoints send none of these headers (nomad-behaviour.md §1.4).
 */
import { NomadMalformedResponseError } from "./errors.ts";

/** Mirrors Go `api.QueryMeta` (the fields carried by headers). */
export interface QueryMeta {
  /** `X-Nomad-Index`: the raft index of the answer. */
  lastIndex?: number;
  /** `X-Nomad-KnownLeader`: whether the server knew a leader. */
  knownLeader?: boolean;
  /** `X-Nomad-LastContact`: milliseconds since the server last heard from the leader. */
  lastContactMs?: number;
}

function parseUint(name: string, value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new NomadMalformedResponseError(
      `header ${name} is not an unsigned integer: ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** Parses the X-Nomad-* meta headers; throws `NomadMalformedResponseError` on unparsable values. */
export function parseMeta(headers: Headers): QueryMeta {
  const meta: QueryMeta = {};
  const index = headers.get("X-Nomad-Index");
  if (index !== null) meta.lastIndex = parseUint("X-Nomad-Index", index.trim());
  const leader = headers.get("X-Nomad-KnownLeader");
  if (leader !== null) {
    const v = leader.trim();
    if (v !== "true" && v !== "false") {
      throw new NomadMalformedResponseError(
        `header X-Nomad-KnownLeader is not true/false: ${JSON.stringify(leader)}`,
      );
    }
    meta.knownLeader = v === "true";
  }
  const contact = headers.get("X-Nomad-LastContact");
  if (contact !== null) meta.lastContactMs = parseUint("X-Nomad-LastContact", contact.trim());
  return meta;
}

/** Shorthand for `parseMeta(response.headers)`, for `const { response } = await client.GET(…)`. */
export function responseMeta(response: Response): QueryMeta {
  return parseMeta(response.headers);
}
