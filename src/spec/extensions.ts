/**
 * The x-nomad-* vendor extensions carried by every operation of the spec, as TypeScript types and
 * as the JSON Schema that `tests/unit/spec-extensions.test.ts` checks them against.
 * @see ../../openapi/README.md
 */

/** An HTTP method as the spec writes it (lower case in OpenAPI path items). */
export type HttpMethod = "get" | "put" | "post" | "delete" | "patch" | "head" | "options";

/** What the handler does with HTTP methods. */
export interface NomadMethods {
  /** Methods the handler serves, or `["any"]` when it has no method check. */
  accepts: string[];
  /** The agent's answer to any other method; absent when every method is served. */
  otherwise?: { status: number; body: string };
}

/** The ACL the agent enforces. */
export interface NomadAcl {
  /** Capabilities of which any one suffices; `["management"]`: management only; `[]`: no check. */
  anyOf: string[];
  /** With ACLs disabled the agent still requires `enable_debug = true`. */
  debugWhenAclDisabled?: boolean;
  /** The ACL the documentation page states, verbatim. */
  documented: string;
  note?: string;
  /** How the agent answers a refused request when it is not `403 Permission denied`. */
  refusal?: { status: number; body: string };
  /** How the agent answers a well-formed unknown token when that differs from `refusal`. */
  unknownToken?: { status: number; body: string };
}

/** Stream framing of a streaming operation. */
export interface NomadStream {
  framing: "concatenated-json" | "raw";
  heartbeat?: string;
  heartbeatIntervalMs?: number;
  plain?: { param: string; contentType: string };
  follow?: { param: string; default: boolean };
  ends: "never" | "at-eof" | "at-eof-unless-follow";
}

/** All extensions of one operation. */
export interface NomadOperationExtensions {
  "x-nomad-operation": string;
  "x-nomad-methods": NomadMethods;
  "x-nomad-acl": NomadAcl;
  "x-nomad-agent": "server" | "client" | "any";
  "x-nomad-mutates": boolean;
  "x-nomad-since": string;
  "x-nomad-changes"?: { version: string; change: string }[];
  "x-nomad-go-client"?: string;
  "x-nomad-stream"?: NomadStream;
  "x-nomad-errata"?: { docs: string; agent: string }[];
}

const version = { type: "string", pattern: "^\\d+\\.\\d+\\.\\d+$" } as const;
const capability = {
  type: "string",
  pattern: "^(management|agent:(read|write)|node:(read|write)|operator:(read|write)|namespace:[a-z-]+)$",
} as const;

/** JSON Schema (2020-12) of {@link NomadOperationExtensions}, applied to an operation's `x-nomad-*` keys only. */
export const operationExtensionsSchema = {
  type: "object",
  required: [
    "x-nomad-operation",
    "x-nomad-methods",
    "x-nomad-acl",
    "x-nomad-agent",
    "x-nomad-mutates",
    "x-nomad-since",
  ],
  properties: {
    "x-nomad-operation": { type: "string", pattern: "^[a-z][A-Za-z]+$" },
    "x-nomad-methods": {
      type: "object",
      required: ["accepts"],
      additionalProperties: false,
      properties: {
        accepts: {
          type: "array",
          minItems: 1,
          uniqueItems: true,
          items: { enum: ["any", "GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH"] },
        },
        otherwise: {
          type: "object",
          required: ["status", "body"],
          additionalProperties: false,
          properties: { status: { type: "integer", minimum: 400, maximum: 599 }, body: { type: "string" } },
        },
      },
      if: { properties: { accepts: { type: "array", contains: { const: "any" } } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword
      then: { properties: { accepts: { type: "array", maxItems: 1 } }, not: { required: ["otherwise"] } },
      else: { required: ["otherwise"] },
    },
    "x-nomad-acl": {
      type: "object",
      required: ["anyOf", "documented"],
      additionalProperties: false,
      properties: {
        anyOf: { type: "array", uniqueItems: true, items: capability },
        debugWhenAclDisabled: { type: "boolean" },
        documented: { type: "string", minLength: 1 },
        note: { type: "string" },
        refusal: { $ref: "#/$defs/answer" },
        unknownToken: { $ref: "#/$defs/answer" },
      },
    },
    "x-nomad-agent": { enum: ["server", "client", "any"] },
    "x-nomad-mutates": { type: "boolean" },
    "x-nomad-since": version,
    "x-nomad-changes": {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["version", "change"],
        additionalProperties: false,
        properties: { version, change: { type: "string", minLength: 1 } },
      },
    },
    "x-nomad-go-client": { type: "string", pattern: "^(none|api\\.[A-Za-z.]+)$" },
    "x-nomad-stream": {
      type: "object",
      required: ["framing", "ends"],
      additionalProperties: false,
      properties: {
        framing: { enum: ["concatenated-json", "raw"] },
        heartbeat: { type: "string" },
        heartbeatIntervalMs: { type: "integer", minimum: 1 },
        plain: {
          type: "object",
          required: ["param", "contentType"],
          additionalProperties: false,
          properties: { param: { type: "string" }, contentType: { type: "string" } },
        },
        follow: {
          type: "object",
          required: ["param", "default"],
          additionalProperties: false,
          properties: { param: { type: "string" }, default: { type: "boolean" } },
        },
        ends: { enum: ["never", "at-eof", "at-eof-unless-follow"] },
      },
    },
    "x-nomad-errata": {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["docs", "agent"],
        additionalProperties: false,
        properties: { docs: { type: "string", minLength: 1 }, agent: { type: "string", minLength: 1 } },
      },
    },
  },
  additionalProperties: false,
  $defs: {
    answer: {
      type: "object",
      required: ["status", "body"],
      additionalProperties: false,
      properties: { status: { type: "integer", minimum: 100, maximum: 599 }, body: { type: "string" } },
    },
  },
} as const;
