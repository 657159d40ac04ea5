/** One Server-Sent Events message; every field is optional. */
export interface SseMessage {
  /** Event type (`event:`); must not contain a newline. */
  event?: string;
  /** Event id (`id:`); must not contain a newline or NUL. */
  id?: string | number;
  /** Payload; a multi-line value becomes several `data:` lines. */
  data?: string;
  /** Reconnection delay hint in milliseconds (`retry:`). */
  retry?: number;
  /** A comment line (`: …`), ignored by clients; used for heartbeats. */
  comment?: string;
}

const LINE_BREAK = /\r\n|\r|\n/;

function assertSingleLine(field: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new TypeError(`SSE ${field} must not contain a newline`);
}

/**
 * Serialises one message in the `text/event-stream` format, ending with the
 * blank line that dispatches it.
 *
 * @throws {TypeError} when `event` or `id` contains a newline (or `id` a
 * NUL), or `retry` is not a non-negative integer: those are programming
 * errors, since client-supplied values are validated before they get here.
 *
 * @example
 * ```ts
 * stringifySseMessage({ id: 3, data: "a\nb" }); // "id: 3\ndata: a\ndata: b\n\n"
 * ```
 */
export function stringifySseMessage(message: SseMessage): string {
  let out = "";
  if (message.comment !== undefined) {
    for (const line of message.comment.split(LINE_BREAK)) out += `: ${line}\n`;
  }
  if (message.event !== undefined) {
    assertSingleLine("event", message.event);
    out += `event: ${message.event}\n`;
  }
  if (message.id !== undefined) {
    const id = String(message.id);
    assertSingleLine("id", id);
    if (id.includes("\0")) throw new TypeError("SSE id must not contain NUL");
    out += `id: ${id}\n`;
  }
  if (message.retry !== undefined) {
    if (!Number.isInteger(message.retry) || message.retry < 0) {
      throw new TypeError("SSE retry must be a non-negative integer");
    }
    out += `retry: ${message.retry}\n`;
  }
  if (message.data !== undefined) {
    for (const line of message.data.split(LINE_BREAK)) out += `data: ${line}\n`;
  }
  return out + "\n";
}

/**
 * Encodes `SseMessage` objects into UTF-8 `text/event-stream` bytes, one
 * chunk per message so each is flushed on its own.
 *
 * @example
 * ```ts
 * const body = ReadableStream.from([{ data: "hello" }]).pipeThrough(new SseEncoderStream());
 * new Response(body, { headers: { "content-type": "text/event-stream" } });
 * ```
 */
export class SseEncoderStream extends TransformStream<SseMessage, Uint8Array> {
  constructor() {
    const encoder = new TextEncoder();
    super({
      transform(message, controller) {
        controller.enqueue(encoder.encode(stringifySseMessage(message)));
      },
    });
  }
}
