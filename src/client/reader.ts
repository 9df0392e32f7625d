/**
 * Bounded readers over a response body: `readFrames` (JSON frame streams) and `readChunks` (plain
 * streams). Both stop at max frames / max bytes / max time, honour an AbortSignal, and release the
 * body when the loop ends early. Note: `reader.cancel()` is never awaited — under msw the body is a
 * tee() branch whose cancel settles only when the other branch is cancelled (mswjs/interceptors#712).
 */
import { NomadAbortError, NomadError, NomadNetworkError } from "./errors.ts";
import { type Frame, FrameSplitter, isHeartbeat } from "./frames.ts";

/** Bounds and cancellation shared by the stream readers and helpers. */
export interface ReadLimits {
  /** Stop after this many (non-heartbeat) frames. */
  maxFrames?: number;
  /** Stop after this many decoded data bytes (the last frame or chunk is cut to fit). */
  maxBytes?: number;
  /** Stop this many ms after the first `next()` (streams never end on their own). */
  maxTimeMs?: number;
  /** Abort: the iteration throws `NomadAbortError` and the body is released. */
  signal?: AbortSignal;
}

export interface FrameReadOptions extends ReadLimits {
  /** Also yield heartbeat frames (`{}`); they never count against `maxFrames`. Default false. */
  heartbeats?: boolean;
  /** Largest encoded frame accepted before failing (default 8 MiB). */
  maxFrameBytes?: number;
  /** Named in error messages (e.g. `GET /v1/agent/monitor`). */
  operation?: string;
}

/** Why an iteration stopped; `running` until it has. */
export type StopReason = "running" | "end" | "maxFrames" | "maxBytes" | "maxTime" | "closed" | "error";

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** One reader of one body with a deadline and an abort signal. */
class BodyReader {
  expired = false;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly onAbort = () => this.release();

  constructor(
    body: ReadableStream<Uint8Array>,
    private readonly limits: ReadLimits,
    private readonly operation: string,
  ) {
    this.reader = body.getReader();
    limits.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  /** Next chunk, or undefined at end of body or at the deadline. */
  async read(): Promise<Uint8Array | undefined> {
    this.checkAbort();
    if (this.closed) return undefined;
    if (this.limits.maxTimeMs !== undefined && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.expired = true;
        this.release();
      }, this.limits.maxTimeMs);
    }
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await this.reader.read();
    } catch (error) {
      this.checkAbort(error);
      if (this.expired) return undefined;
      this.release();
      if (error instanceof NomadError) throw error;
      throw new NomadNetworkError(
        this.operation,
        `reading the stream failed: ${(error as Error).message}`,
        undefined,
        error,
      );
    }
    this.checkAbort();
    if (result.done) {
      this.release();
      return undefined;
    }
    return result.value;
  }

  /** Stops the timer, forgets the signal, and cancels the body without awaiting (see file note). */
  release(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.limits.signal?.removeEventListener("abort", this.onAbort);
    if (this.closed) return;
    this.closed = true;
    this.reader.cancel().catch(() => {});
  }

  private checkAbort(cause?: unknown): void {
    const signal = this.limits.signal;
    if (signal?.aborted) {
      this.release();
      throw new NomadAbortError(this.operation, cause ?? signal.reason);
    }
  }
}

abstract class BoundedIterator<T> implements AsyncIterableIterator<T> {
  stopReason: StopReason = "running";
  protected count = 0;
  protected bytes = 0;
  protected readonly body: BodyReader;

  constructor(
    body: ReadableStream<Uint8Array>,
    protected readonly limits: ReadLimits,
    operation: string,
  ) {
    this.body = new BodyReader(body, limits, operation);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  abstract next(): Promise<IteratorResult<T, undefined>>;

  async return(): Promise<IteratorResult<T, undefined>> {
    this.stop("closed");
    return DONE;
  }

  protected stop(reason: Exclude<StopReason, "running">): void {
    if (this.stopReason === "running") this.stopReason = reason;
    this.body.release();
  }

  /** Cuts `data` to the byte budget and stops when a budget is used up. */
  protected account(data: Uint8Array): Uint8Array {
    const { maxBytes, maxFrames } = this.limits;
    let out = data;
    if (maxBytes !== undefined) {
      if (this.bytes + out.length >= maxBytes) {
        out = out.subarray(0, maxBytes - this.bytes);
        this.stop("maxBytes");
      }
      this.bytes += out.length;
    }
    this.count++;
    if (maxFrames !== undefined && this.count >= maxFrames) this.stop("maxFrames");
    return out;
  }

  protected async fill(): Promise<Uint8Array | undefined> {
    try {
      const chunk = await this.body.read();
      if (chunk === undefined) this.stop(this.body.expired ? "maxTime" : "end");
      return chunk;
    } catch (error) {
      this.stop("error");
      throw error;
    }
  }

  protected get done(): boolean {
    return this.stopReason !== "running" || this.body.expired;
  }
}

/** Iterator of decoded frames; `stopReason` tells why it ended. */
export class FrameIterator extends BoundedIterator<Frame> {
  private readonly splitter: FrameSplitter;
  private readonly heartbeats: boolean;
  private queue: Frame[] = [];
  private at = 0;

  constructor(body: ReadableStream<Uint8Array>, options: FrameReadOptions = {}) {
    super(body, options, options.operation ?? "stream");
    this.splitter = new FrameSplitter(options.maxFrameBytes);
    this.heartbeats = options.heartbeats ?? false;
  }

  /** Queued frames are served without an async function per frame; `pull()` does everything else. */
  next(): Promise<IteratorResult<Frame, undefined>> {
    const result = this.done ? undefined : this.take();
    return result ? Promise.resolve(result) : this.pull();
  }

  /** The next queued frame to hand out (heartbeats skipped unless asked), or undefined. */
  private take(): IteratorResult<Frame, undefined> | undefined {
    while (this.at < this.queue.length) {
      const frame = this.queue[this.at++] as Frame;
      if (isHeartbeat(frame)) {
        if (this.heartbeats) return { done: false, value: frame };
        continue;
      }
      const data = this.account(frame.Data);
      return { done: false, value: data === frame.Data ? frame : { ...frame, Data: data } };
    }
    return undefined;
  }

  private async pull(): Promise<IteratorResult<Frame, undefined>> {
    for (;;) {
      if (this.done) {
        if (this.stopReason === "running") this.stop("maxTime");
        return DONE;
      }
      const result = this.take();
      if (result) return result;
      const error = this.splitter.takeError();
      if (error) {
        this.stop("error");
        throw error;
      }
      this.queue.length = 0;
      this.at = 0;
      const chunk = await this.fill();
      if (chunk === undefined) {
        if (this.stopReason === "end") {
          this.splitter.end();
          const truncated = this.splitter.takeError();
          if (truncated) {
            this.stopReason = "error";
            throw truncated;
          }
        }
        return DONE;
      }
      this.splitter.push(chunk, this.queue);
    }
  }
}

/** Iterator of raw body chunks (plain-mode streams) with the same bounds; `maxFrames` counts chunks. */
export class ChunkIterator extends BoundedIterator<Uint8Array> {
  async next(): Promise<IteratorResult<Uint8Array, undefined>> {
    for (;;) {
      if (this.done) {
        if (this.stopReason === "running") this.stop("maxTime");
        return DONE;
      }
      const chunk = await this.fill();
      if (chunk === undefined) return DONE;
      if (chunk.length === 0) continue;
      return { done: false, value: this.account(chunk) };
    }
  }
}

/** Reads `StreamFrame`s from a body; heartbeats skipped unless `heartbeats: true`. */
export function readFrames(body: ReadableStream<Uint8Array>, options?: FrameReadOptions): FrameIterator {
  return new FrameIterator(body, options);
}

/** Reads a plain (`plain=true`) stream body as byte chunks, with the same bounds. */
export function readChunks(
  body: ReadableStream<Uint8Array>,
  options?: ReadLimits & { operation?: string },
): ChunkIterator {
  return new ChunkIterator(body, options ?? {}, options?.operation ?? "stream");
}
