import { describe, expect, it } from "vitest";
import { driftOf } from "../../src/conformance/drift.ts";
import { mediaSchemaPointer, operationById } from "../../src/conformance/spec.ts";
import { agentSelf } from "../../src/fixtures/world/self.ts";
import { createWorld } from "../../src/fixtures/world.ts";

const selfPointer = mediaSchemaPointer(operationById("agentSelf"), 200, "application/json");
const membersPointer = mediaSchemaPointer(operationById("agentMembers"), 200, "application/json");

describe("driftOf", () => {
  it("finds nothing unknown in a faithful /v1/agent/self body (allOf, maps and nested refs followed)", () => {
    const d = driftOf(selfPointer, agentSelf(createWorld()));
    expect(d.unknown).toEqual([]);
    expect(d.seen).toEqual(
      expect.arrayContaining(["config", "member", "member.Name", "stats", "config.Version"]),
    );
  });

  it.each([
    ["a top-level key", (b: Record<string, unknown>) => Object.assign(b, { extra: 1 }), "extra"],
    [
      "a key inside an allOf object",
      (b: Record<string, unknown>) => Object.assign(b.member as object, { Foo: "x" }),
      "member.Foo",
    ],
  ])("reports %s that the spec does not declare", (_label, edit, want) => {
    const body = agentSelf(createWorld()) as Record<string, unknown>;
    edit(body);
    expect(driftOf(selfPointer, body).unknown).toEqual([want]);
  });

  it("walks arrays of objects", () => {
    const body = {
      ServerName: "a",
      ServerRegion: "global",
      ServerDC: "dc1",
      Members: [{ Name: "a.global", Bogus: 1 }],
    };
    expect(driftOf(membersPointer, body).unknown).toEqual(["Members[].Bogus"]);
  });
});
