/**
 * Checks derived from the spec for every operation: a valid request conforms (status, content type,
 * schema), a wrong method gets the agent's answer, and the ACL matrix holds.
 */
import { afterAll, describe, expect } from "vitest";
import { nearMiss, sweepAclObjects, tokenWith, unknownToken } from "../../src/conformance/acl.ts";
import { behaviour, drainBehaviours } from "../../src/conformance/behaviour.ts";
import { kebab } from "../../src/conformance/catalogue.ts";
import { conformanceProblems } from "../../src/conformance/checks.ts";
import { type CallResult, call, printable, type TokenChoice } from "../../src/conformance/exchange.ts";
import { prepare } from "../../src/conformance/requests.ts";
import { operationsOf, specOperations } from "../../src/conformance/spec.ts";

const names = [...new Set(specOperations().map((o) => o["x-nomad-operation"]))];

afterAll(async () => {
  // A body the cancellation left running may still create ACL objects: let it end first.
  await drainBehaviours();
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
        // A long body is cut for the report; the agent's answer is a short text (or nothing).
        const body = printable(res.text.length > 200 ? `${res.text.slice(0, 200)}…` : res.text);
        expect({ status: res.status, body }).toEqual({ status: otherwise.status, body: otherwise.body });
      });
    }

    const acl = first["x-nomad-acl"];
    // How this agent refuses: 403 `Permission denied` unless the spec records otherwise.
    const refusal = acl.refusal ?? { status: 403, body: "Permission denied" };
    /** Sends each twin's happy request with `token`; returns status (and body when asked). */
    const eachTwin = async (
      check: (send: (token: TokenChoice, readBody?: boolean) => Promise<CallResult>) => Promise<void>,
    ) => {
      for (const op of twins) {
        const prep = await prepare(name);
        if ("skip" in prep) return prep.skip;
        try {
          await check((token, readBody = false) =>
            call(op.method, op.path, {
              ...prep.init,
              token,
              statusOnly: !readBody,
              untilMs: readBody ? 1_000 : undefined,
            }),
          );
        } finally {
          await prep.cleanup?.();
        }
      }
      return undefined;
    };

    behaviour(`spec/${kebab(name)}/acl-refusal`, async ({ skip }) => {
      const skipped = await eachTwin(async (send) => {
        // When refusals are 200s (cat/readat), only the body tells a refusal apart.
        const management = await send("suite", refusal.status === 200);
        const served =
          refusal.status === 200 ? { status: management.status, body: management.text } : management.status;
        expect(served, "a management token is served").not.toEqual(
          refusal.status === 200 ? refusal : refusal.status,
        );
        const cases: [string, TokenChoice, { status: number; body: string }][] = [
          ["no token", "anonymous", refusal],
          ["an unknown token", { secret: unknownToken() }, acl.unknownToken ?? refusal],
        ];
        for (const [label, token, expected] of cases) {
          if (acl.anyOf.length === 0) {
            expect((await send(token)).status, `${label}: no ACL is enforced`).toBe(management.status);
          } else {
            const res = await send(token, true);
            expect({ status: res.status, body: res.text }, `${label} must be refused`).toEqual(expected);
          }
        }
      });
      if (skipped) skip(skipped);
    });

    if (acl.anyOf.length > 0 && !acl.anyOf.includes("management")) {
      behaviour(`spec/${kebab(name)}/acl-capability`, async ({ skip }) => {
        const skipped = await eachTwin(async (send) => {
          const management = await send("suite");
          const miss = nearMiss(acl.anyOf);
          const res = await send({ secret: await tokenWith(miss) }, true);
          expect(
            { status: res.status, body: res.text },
            `a token with only ${miss.join(", ")} must be refused`,
          ).toEqual(refusal);
          for (const cap of acl.anyOf) {
            const ok = await send({ secret: await tokenWith([cap]) });
            expect(ok.status, `a token with exactly ${cap} is served like management`).toBe(
              management.status,
            );
          }
        });
        if (skipped) skip(skipped);
      });
    }
  });
}
