/**
 * Checks derived from the spec for every operation: a valid request conforms (status, content type,
 * schema), a wrong method gets the agent's answer, and the ACL matrix holds.
 */
import { afterAll, describe, expect } from "vitest";
import { nearMiss, sweepAclObjects, tokenWith, unknownToken } from "../../src/conformance/acl.ts";
import { behaviour } from "../../src/conformance/behaviour.ts";
import { kebab } from "../../src/conformance/catalogue.ts";
import { conformanceProblems } from "../../src/conformance/checks.ts";
import { call, type TokenChoice } from "../../src/conformance/exchange.ts";
import { prepare } from "../../src/conformance/requests.ts";
import { operationsOf, specOperations } from "../../src/conformance/spec.ts";

const names = [...new Set(specOperations().map((o) => o["x-nomad-operation"]))];

afterAll(async () => {
  const left = await sweepAclObjects();
  if (left.length) throw new Error(`could not delete ACL objects: ${left.join(", ")}`);
});

for (const name of names) {
  const twins = operationsOf(name);
  const [first] = twins as [(typeof twins)[number]];
  describe(`${twins.map((t) => t.method.toUpperCase()).join("|")} ${first.path}`, () => {
    behaviour(`spec/${kebab(name)}/shape`, async ({ skip }) => {
      for (const op of twins) {
        const prep = await prepare(name);
        if ("skip" in prep) return skip(prep.skip);
        try {
          const res = await call(op.method, op.path, { ...prep.init, untilMs: prep.untilMs });
          expect(conformanceProblems(op, res), `${op.method.toUpperCase()} ${op.path}`).toEqual([]);
        } finally {
          await prep.cleanup?.();
        }
      }
    });

    const otherwise = first["x-nomad-methods"].otherwise;
    if (otherwise) {
      behaviour(`spec/${kebab(name)}/wrong-method`, async ({ skip }) => {
        const prep = await prepare(name);
        if ("skip" in prep) return skip(prep.skip);
        const { body: _unused, ...init } = prep.init;
        const method = first["x-nomad-methods"].accepts.includes("GET") ? "PATCH" : "GET";
        const res = await call(method, first.path, init);
        expect({ status: res.status, body: res.text }).toEqual({
          status: otherwise.status,
          body: otherwise.body,
        });
      });
    }

    behaviour(`spec/${kebab(name)}/acl`, async ({ skip }) => {
      const acl = first["x-nomad-acl"];
      for (const op of twins) {
        const prep = await prepare(name);
        if ("skip" in prep) return skip(prep.skip);
        const send = (token: TokenChoice, readBody = false) =>
          call(op.method, op.path, {
            ...prep.init,
            token,
            statusOnly: !readBody,
            untilMs: readBody ? 1_000 : undefined,
          });
        // How this agent refuses: 403 `Permission denied` unless the spec records otherwise.
        const refusal = acl.refusal ?? { status: 403, body: "Permission denied" };
        try {
          const management = await send("suite");
          expect(management.status, "a management token is served").not.toBe(403);
          const denied: [string, TokenChoice, { status: number; body: string }][] = [
            ["no token", "anonymous", refusal],
            ["an unknown token", { secret: unknownToken() }, acl.unknownToken ?? refusal],
          ];
          const miss = nearMiss(acl.anyOf);
          if (acl.anyOf.length > 0 && miss.length > 0)
            denied.push([`a token with only ${miss.join(", ")}`, { secret: await tokenWith(miss) }, refusal]);
          for (const [label, token, expected] of denied) {
            if (acl.anyOf.length === 0) {
              expect((await send(token)).status, `${label}: no ACL is enforced`).not.toBe(403);
            } else {
              const res = await send(token, true);
              expect({ status: res.status, body: res.text }, `${label} must be refused`).toEqual(expected);
            }
          }
          for (const cap of acl.anyOf.filter((c) => c !== "management")) {
            const res = await send({ secret: await tokenWith([cap]) });
            expect(res.status, `a token with exactly ${cap} is served like management`).toBe(
              management.status,
            );
          }
        } finally {
          await prep.cleanup?.();
        }
      }
    });
  });
}
