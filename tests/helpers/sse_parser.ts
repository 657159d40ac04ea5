/**
 * A small Server-Sent Events parser that follows the WHATWG HTML
 * "event stream interpretation" rules, for tests: any line break style,
 * `field: value` with one optional leading space removed, comments, `id`
 * with NUL ignored, numeric `retry`, and the dispatch rules (no event for an
 * empty data buffer, default type `message`, trailing newline removed).
 *
 * @module
 */

/** A dispatched event, as `EventSource` would deliver it. */
export interface SseEvent {
  type: string;
  data: string;
  lastEventId: string;
}

/** An incremental parser: feed it decoded text, get the events it completes. */
export class SseParser {
  /** The last event ID string (survives between events). */
  lastEventId = "";
  /** The latest `retry:` value, or `null` when none was sent. */
  retry: number | null = null;
  /** Comment lines seen, without the leading colon. */
  readonly comments: string[] = [];
  #buffer = "";
  #skipLeadingLf = false;
  #data = "";
  #type = "";
  #idBuffer = "";

  /** Parses more text and returns the events it completed. */
  feed(text: string): SseEvent[] {
    if (this.#skipLeadingLf && text.startsWith("\n")) text = text.slice(1);
    this.#skipLeadingLf = false;
    this.#buffer += text;
    const events: SseEvent[] = [];
    let match: RegExpExecArray | null;
    const lineBreak = /\r\n|\r|\n/g;
    let start = 0;
    while ((match = lineBreak.exec(this.#buffer)) !== null) {
      // A CR at the very end may be the first half of a CRLF split across chunks.
      if (match[0] === "\r" && match.index === this.#buffer.length - 1) this.#skipLeadingLf = true;
      const event = this.#line(this.#buffer.slice(start, match.index));
      if (event) events.push(event);
      start = match.index + match[0].length;
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  #line(line: string): SseEvent | null {
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) {
      this.comments.push(line.slice(1).replace(/^ /, ""));
      return null;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.#type = value;
        break;
      case "data":
        this.#data += value + "\n";
        break;
      case "id":
        if (!value.includes("\0")) this.#idBuffer = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
    }
    return null;
  }

  #dispatch(): SseEvent | null {
    this.lastEventId = this.#idBuffer;
    if (this.#data === "") {
      this.#type = "";
      return null;
    }
    const event = {
      type: this.#type || "message",
      data: this.#data.slice(0, -1),
      lastEventId: this.lastEventId,
    };
    this.#data = "";
    this.#type = "";
    return event;
  }
}

/**
 * Yields the events of an SSE response body as they arrive. Leaving the
 * loop early cancels the body (so Deno's sanitizers stay happy and the
 * server sees the client leave).
 *
 * @example
 * ```ts
 * for await (const event of sseEvents(res.body!)) if (event.type === "done") break;
 * ```
 */
export async function* sseEvents(
  body: ReadableStream<Uint8Array>,
  parser: SseParser = new SseParser(),
): AsyncGenerator<SseEvent> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let done = false;
  try {
    while (true) {
      const result = await reader.read();
      if (result.done) {
        done = true;
        return;
      }
      yield* parser.feed(result.value);
    }
  } finally {
    if (!done) await reader.cancel();
  }
}

/** Reads every event until the stream ends. */
export function allSseEvents(
  body: ReadableStream<Uint8Array>,
  parser?: SseParser,
): Promise<SseEvent[]> {
  return Array.fromAsync(sseEvents(body, parser));
}
