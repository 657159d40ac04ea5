/** One event read from an upstream `text/event-stream`. */
export interface SseEvent {
  /** The `event:` field, `""` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
}

/** Longest line or event accepted from an upstream, in UTF-16 code units. */
export const MAX_SSE_EVENT = 1024 * 1024;

/**
 * An incremental `text/event-stream` parser following the WHATWG rules that
 * matter to a client of an API: any line break style (a CR at the end of one
 * chunk may pair with an LF at the start of the next), `field: value` with
 * one leading space removed, comments ignored, an event dispatched on a
 * blank line only when it has data. `id:` and `retry:` are read and dropped.
 *
 * @throws {RangeError} from `feed` when a line or an event grows past
 * `maxEvent`: a broken upstream must not make the relay buffer without end.
 *
 * @example
 * ```ts
 * const decoder = new SseDecoder();
 * decoder.feed('data: {"a":1}\n\nda'); // [{ event: "", data: '{"a":1}' }]
 * decoder.feed("ta: 2\n\n"); // [{ event: "", data: "2" }]
 * ```
 */
export class SseDecoder {
  readonly #maxEvent: number;
  #buffer = "";
  #skipLf = false;
  #event = "";
  #data: string[] = [];
  #size = 0;

  constructor(maxEvent: number = MAX_SSE_EVENT) {
    this.#maxEvent = maxEvent;
  }

  /** Parses more text and returns the events it completed, in order. */
  feed(text: string): SseEvent[] {
    if (this.#skipLf && text.startsWith("\n")) text = text.slice(1);
    this.#skipLf = false;
    const events: SseEvent[] = [];
    let start = 0;
    const lineBreak = /\r\n|\r|\n/g;
    const buffer = this.#buffer + text;
    let match: RegExpExecArray | null;
    while ((match = lineBreak.exec(buffer)) !== null) {
      if (match[0] === "\r" && match.index === buffer.length - 1) this.#skipLf = true;
      const event = this.#line(buffer.slice(start, match.index));
      if (event !== null) events.push(event);
      start = match.index + match[0].length;
    }
    this.#buffer = buffer.slice(start);
    if (this.#buffer.length > this.#maxEvent) {
      throw new RangeError("Event stream line too long");
    }
    return events;
  }

  #line(line: string): SseEvent | null {
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") {
      this.#event = value;
    } else if (field === "data") {
      this.#size += value.length + 1;
      if (this.#size > this.#maxEvent) throw new RangeError("Event stream event too long");
      this.#data.push(value);
    }
    return null;
  }

  #dispatch(): SseEvent | null {
    const event = this.#data.length === 0
      ? null
      : { event: this.#event, data: this.#data.join("\n") };
    this.#event = "";
    this.#data = [];
    this.#size = 0;
    return event;
  }
}
