/** The Nomad client: typed requests, connection settings, errors, meta headers and stream readers. */

export {
  DEFAULT_ADDRESS,
  DEFAULT_TIMEOUT_MS,
  type NomadClientOptions,
  type NomadConfig,
  resolveConfig,
} from "./config.ts";
export { createNomadClient, type NomadClient, nomadMiddleware } from "./createNomadClient.ts";
export {
  NomadAbortError,
  NomadApiError,
  NomadConfigError,
  NomadError,
  type NomadErrorCode,
  NomadMalformedResponseError,
  NomadNetworkError,
  NomadTimeoutError,
  NomadTlsError,
} from "./errors.ts";
export { decodeBase64Strict, type Frame, FrameSplitter, isHeartbeat, parseFrame } from "./frames.ts";
export { parseMeta, type QueryMeta, responseMeta } from "./meta.ts";
export {
  ChunkIterator,
  FrameIterator,
  type FrameReadOptions,
  type ReadLimits,
  readChunks,
  readFrames,
  type StopReason,
} from "./reader.ts";
export {
  type FileStreamOptions,
  type FrameStreamOptions,
  type LogStreamOptions,
  type MonitorOptions,
  monitor,
  monitorText,
  streamFile,
  streamFileText,
  streamLogs,
  streamLogsText,
  type TextStreamOptions,
} from "./streams.ts";
export { collectText, decodeText, type TextOptions } from "./text.ts";
export type { NomadTlsOptions } from "./tls.ts";
