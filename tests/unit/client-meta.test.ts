import { describe, expect, it } from "vitest";
import { NomadMalformedResponseError, parseMeta } from "../../src/client/index.ts";

type Given = Record<string, string>;

describe("parseMeta", () => {
  it.each<{ given: Given; want: object }>([
    { given: {}, want: {} },
    { given: { "X-Nomad-Index": "0" }, want: { lastIndex: 0 } },
    { given: { "X-Nomad-Index": "1234567" }, want: { lastIndex: 1234567 } },
    { given: { "X-Nomad-KnownLeader": "false" }, want: { knownLeader: false } },
    {
      given: { "X-Nomad-Index": "9", "X-Nomad-KnownLeader": "true", "X-Nomad-LastContact": "15" },
      want: { lastIndex: 9, knownLeader: true, lastContactMs: 15 },
    },
  ])("$given → $want", ({ given, want }) => {
    expect(parseMeta(new Headers(given))).toEqual(want);
  });

  it.each<Given>([
    { "X-Nomad-Index": "-1" },
    { "X-Nomad-Index": "12a" },
    { "X-Nomad-Index": "99999999999999999999" },
    { "X-Nomad-KnownLeader": "yes" },
    { "X-Nomad-LastContact": "1.5" },
  ])("rejects %j", (given) => {
    expect(() => parseMeta(new Headers(given))).toThrow(NomadMalformedResponseError);
  });
});
