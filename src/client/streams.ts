/**
 * Stream helpers over the typed client: agent monitor, allocation file stream and task logs, as
 * frames or (with `plain=true`, or decoded across frames) as text. Each helper is lazy (the request
 * starts on the first `next()`), bounded (`maxFrames`, `maxBytes`, `maxTimeMs`, `signal`) and closes
 * its connection when the loop ends for any reason — the agent allows 100 connections per client IP.
 * @see command/agent/agent_endpoint.go (AgentMonitor), command/agent/fs_endpoint.go (Stream, Logs)
 */
import type { NomadClient } from "./createNomadClient.ts";
import { NomadAbortError, NomadApiError, redact } from "./errors.ts";
import type { Frame } from "./frames.ts";
import { type FrameReadOptions, type ReadLimits, readChunks, readFrames } from "./reader.ts";
import { decodeText, type TextOptions } from "./text.ts";

type StreamResult = { response: Response; data?: ReadableStream<Uint8Array> | null; error?: unknown };
type StreamCall = (signal: AbortSignal) => Promise<StreamResult>;

export interface MonitorOptions {
  /** `trace`, `debug`, `info` (agent default), `warn`, `error` or `off`. */
  logLevel?: string;
  logJson?: boolean;
  logIncludeLocation?: boolean;
  /** Monitor this client node instead of the answering agent. */
  nodeId?: string;
  /** Monitor this server instead of the answering agent. */
  serverId?: string;
}

export interface FileStreamOptions {
  /** Byte offset, counted from `origin`. */
  offset?: number;
  origin?: "start" | "end";
  /** Keep streaming new data (the agent's default is true for fs/stream). */
  follow?: boolean;
}

export interface LogStreamOptions extends FileStreamOptions {
  /** `stdout` (default) or `stderr`. */
  type?: "stdout" | "stderr";
}

export type FrameStreamOptions = Omit<FrameReadOptions, "operation">;
export type TextStreamOptions = ReadLimits & TextOptions;

/** Runs `call`, checks the status, and yields what `read` makes of the body, within the limits. */
async function* openStream<T>(
  client: NomadClient,
  operation: string,
  path: string,
  limits: ReadLimits,
  call: StreamCall,
  read: (body: ReadableStream<Uint8Array>, signal: AbortSignal) => AsyncIterable<T>,
): AsyncGenerator<T, void, undefined> {
  const user = limits.signal;
  if (user?.aborted) throw new NomadAbortError(operation, user.reason);
  const controller = new AbortController();
  const onAbort = () => controller.abort(user?.reason);
  user?.addEventListener("abort", onAbort, { once: true });
  let expired = false;
  const deadline =
    limits.maxTimeMs === undefined
      ? undefined
      : setTimeout(() => {
          expired = true;
          controller.abort(new DOMException("maxTimeMs reached", "TimeoutError"));
        }, limits.maxTimeMs);
  try {
    const { response, data, error } = await call(controller.signal);
    if (!response.ok) {
      const text = typeof error === "string" ? error : (JSON.stringify(error) ?? "");
      const body = redact(text, [client.config.token]);
      throw new NomadApiError({ operation, method: "GET", path, status: response.status, body });
    }
    if (data) yield* read(data, controller.signal);
  } catch (error) {
    if (!expired) throw error;
  } finally {
    if (deadline !== undefined) clearTimeout(deadline);
    user?.removeEventListener("abort", onAbort);
    controller.abort();
  }
}

function frameReader(operation: string, options: FrameStreamOptions) {
  const { maxTimeMs: _time, signal: _signal, ...rest } = options;
  return (body: ReadableStream<Uint8Array>, signal: AbortSignal) =>
    readFrames(body, { ...rest, signal, operation });
}

function textReader(operation: string, options: TextStreamOptions) {
  const { maxBytes, maxFrames, fatal } = options;
  return (body: ReadableStream<Uint8Array>, signal: AbortSignal) =>
    decodeText(readChunks(body, { maxBytes, maxFrames, signal, operation }), { fatal });
}

const MONITOR = "GET /v1/agent/monitor";
const FS_STREAM = "GET /v1/client/fs/stream/{alloc_id}";
const FS_LOGS = "GET /v1/client/fs/logs/{alloc_id}";

function monitorCall(client: NomadClient, options: MonitorOptions, plain: boolean): StreamCall {
  return (signal) =>
    client.GET("/v1/agent/monitor", {
      params: {
        query: {
          log_level: options.logLevel,
          log_json: options.logJson,
          log_include_location: options.logIncludeLocation,
          node_id: options.nodeId,
          server_id: options.serverId,
          ...(plain ? { plain: true } : {}),
        },
      },
      parseAs: "stream",
      signal,
    });
}

/** Agent log frames (`GET /v1/agent/monitor`); monitor streams never end, so set a bound. */
export function monitor(
  client: NomadClient,
  options: MonitorOptions & FrameStreamOptions = {},
): AsyncGenerator<Frame, void, undefined> {
  const call = monitorCall(client, options, false);
  return openStream(client, MONITOR, "/v1/agent/monitor", options, call, frameReader(MONITOR, options));
}

/** Agent log text (`plain=true`): the agent sends nothing, not even headers, until a line is logged. */
export function monitorText(
  client: NomadClient,
  options: MonitorOptions & TextStreamOptions = {},
): AsyncGenerator<string, void, undefined> {
  const call = monitorCall(client, options, true);
  return openStream(client, MONITOR, "/v1/agent/monitor", options, call, textReader(MONITOR, options));
}

/** Frames of one allocation file (`GET /v1/client/fs/stream/{alloc_id}`); follows by default. */
export function streamFile(
  client: NomadClient,
  allocId: string,
  path: string,
  options: FileStreamOptions & FrameStreamOptions = {},
): AsyncGenerator<Frame, void, undefined> {
  const call: StreamCall = (signal) =>
    client.GET("/v1/client/fs/stream/{alloc_id}", {
      params: {
        path: { alloc_id: allocId },
        query: { path, offset: options.offset, origin: options.origin, follow: options.follow },
      },
      parseAs: "stream",
      signal,
    });
  const urlPath = `/v1/client/fs/stream/${encodeURIComponent(allocId)}`;
  return openStream(client, FS_STREAM, urlPath, options, call, frameReader(FS_STREAM, options));
}

/** Text of one allocation file, decoded across frames (fs/stream has no plain mode). */
export function streamFileText(
  client: NomadClient,
  allocId: string,
  path: string,
  options: FileStreamOptions & FrameStreamOptions & TextOptions = {},
): AsyncGenerator<string, void, undefined> {
  return decodeText(streamFile(client, allocId, path, options), { fatal: options.fatal });
}

function logsCall(
  client: NomadClient,
  allocId: string,
  task: string,
  options: LogStreamOptions,
  plain: boolean,
) {
  return ((signal) =>
    client.GET("/v1/client/fs/logs/{alloc_id}", {
      params: {
        path: { alloc_id: allocId },
        query: {
          task,
          type: options.type ?? "stdout",
          offset: options.offset,
          origin: options.origin,
          follow: options.follow,
          ...(plain ? { plain: true } : {}),
        },
      },
      parseAs: "stream",
      signal,
    })) satisfies StreamCall;
}

/** Log frames of one task (`GET /v1/client/fs/logs/{alloc_id}`). */
export function streamLogs(
  client: NomadClient,
  allocId: string,
  task: string,
  options: LogStreamOptions & FrameStreamOptions = {},
): AsyncGenerator<Frame, void, undefined> {
  const call = logsCall(client, allocId, task, options, false);
  const urlPath = `/v1/client/fs/logs/${encodeURIComponent(allocId)}`;
  return openStream(client, FS_LOGS, urlPath, options, call, frameReader(FS_LOGS, options));
}

/** Log text of one task (`plain=true`). */
export function streamLogsText(
  client: NomadClient,
  allocId: string,
  task: string,
  options: LogStreamOptions & TextStreamOptions = {},
): AsyncGenerator<string, void, undefined> {
  const call = logsCall(client, allocId, task, options, true);
  const urlPath = `/v1/client/fs/logs/${encodeURIComponent(allocId)}`;
  return openStream(client, FS_LOGS, urlPath, options, call, textReader(FS_LOGS, options));
}
