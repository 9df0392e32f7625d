import { describe, expectTypeOf, it } from "vitest";
import type { components } from "../../src/generated/nomad.js";
import {
  createNomadClient,
  type Frame,
  type FrameIterator,
  monitor,
  type NomadClient,
  readFrames,
  streamLogs,
  streamLogsText,
} from "../../src/index.ts";

type Schemas = components["schemas"];
declare const client: NomadClient;

describe("createNomadClient", () => {
  it("returns a NomadClient typed by the generated paths", () => {
    expectTypeOf(createNomadClient).returns.toEqualTypeOf<NomadClient>();
  });

  it("types GET /v1/agent/self data as AgentSelf and error as the text body", async () => {
    const { data, error } = await client.GET("/v1/agent/self");
    // openapi-fetch maps bodies through Readable<>, so check assignability both ways.
    expectTypeOf(data).toExtend<Schemas["AgentSelf"] | undefined>();
    expectTypeOf<Schemas["AgentSelf"] | undefined>().toExtend<typeof data>();
    expectTypeOf(data).not.toExtend<Schemas["AgentMember"] | undefined>();
    expectTypeOf(error).toEqualTypeOf<Schemas["ErrorText"] | undefined>();
  });

  it("rejects a path that is not in the spec", () => {
    // @ts-expect-error -- no such route
    client.GET("/v1/agent/selfie");
    // @ts-expect-error -- /v1/agent/self has no POST
    client.POST("/v1/agent/self");
  });
});

describe("query parameters are typed per family", () => {
  it("agent: join takes a string[] address (form, explode)", () => {
    client.PUT("/v1/agent/join", { params: { query: { address: ["a", "b"] } } });
    // @ts-expect-error -- a single string is not an array
    client.PUT("/v1/agent/join", { params: { query: { address: "a" } } });
    // @ts-expect-error -- address is required
    client.PUT("/v1/agent/join", { params: { query: {} } });
  });

  it("client fs: logs needs task and a stdout|stderr type and the alloc_id path param", () => {
    const path = { alloc_id: "5456bd7a-9fc0-c0dd-6131-cbee77f57577" };
    client.GET("/v1/client/fs/logs/{alloc_id}", { params: { path, query: { task: "web", type: "stderr" } } });
    // @ts-expect-error -- type must be stdout or stderr
    client.GET("/v1/client/fs/logs/{alloc_id}", { params: { path, query: { task: "web", type: "stdlog" } } });
    // @ts-expect-error -- task is required
    client.GET("/v1/client/fs/logs/{alloc_id}", { params: { path, query: { type: "stdout" } } });
  });

  it("operator raft: stale is a boolean", () => {
    client.GET("/v1/operator/raft/configuration", { params: { query: { stale: true } } });
    // @ts-expect-error -- stale is not a string
    client.GET("/v1/operator/raft/configuration", { params: { query: { stale: "yes" } } });
  });

  it("parseAs stream gives a ReadableStream body", async () => {
    const { data } = await client.GET("/v1/agent/monitor", { parseAs: "stream" });
    expectTypeOf(data).toEqualTypeOf<Response["body"] | undefined>();
  });
});

describe("stream helpers", () => {
  it("yield decoded frames or text", () => {
    expectTypeOf(monitor(client)).toEqualTypeOf<AsyncGenerator<Frame, void, undefined>>();
    expectTypeOf(streamLogsText(client, "id", "web")).toEqualTypeOf<
      AsyncGenerator<string, void, undefined>
    >();
    expectTypeOf<Frame["Data"]>().toEqualTypeOf<Uint8Array>();
    expectTypeOf(readFrames(new ReadableStream<Uint8Array>())).toEqualTypeOf<FrameIterator>();
    // @ts-expect-error -- log type must be stdout or stderr
    streamLogs(client, "id", "web", { type: "stdlog" });
  });
});
