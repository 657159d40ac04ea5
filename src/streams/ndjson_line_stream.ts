/** Options for `NdjsonLineStream`. */
export interface NdjsonLineOptions {
  /** Longest line accepted, in UTF-16 code units. */
  maxLineLength?: number;
}

/**
 * Splits decoded text into lines (`\n` or `\r\n`), skipping blank lines, as
 * each line completes: the first line is available before the text ends.
 * A final line without a newline is emitted at the end.
 *
 * @throws {RangeError} (errors the stream) when a line is longer than
 * `maxLineLength`, so a client cannot make the server buffer without bound.
 *
 * @example
 * ```ts
 * request.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new NdjsonLineStream());
 * ```
 */
export class NdjsonLineStream extends TransformStream<string, string> {
  constructor({ maxLineLength = 64 * 1024 }: NdjsonLineOptions = {}) {
    let partial = "";
    const emit = (line: string, controller: TransformStreamDefaultController<string>) => {
      // A whole line can arrive in one chunk: measure every line, not only the rest.
      if (line.length > maxLineLength) throw new RangeError("Line too long");
      const trimmed = line.endsWith("\r") ? line.slice(0, -1) : line;
      if (trimmed.trim() !== "") controller.enqueue(trimmed);
    };
    super({
      transform(text, controller) {
        partial += text;
        let newline: number;
        while ((newline = partial.indexOf("\n")) !== -1) {
          emit(partial.slice(0, newline), controller);
          partial = partial.slice(newline + 1);
        }
        if (partial.length > maxLineLength) throw new RangeError("Line too long");
      },
      flush(controller) {
        emit(partial, controller);
      },
    });
  }
}
