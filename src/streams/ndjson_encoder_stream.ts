/**
 * Encodes values as newline-delimited JSON bytes, one chunk per value so
 * each line reaches the client as soon as it is produced.
 *
 * @example
 * ```ts
 * ReadableStream.from([{ step: 1 }]).pipeThrough(new NdjsonEncoderStream()); // '{"step":1}\n'
 * ```
 */
export class NdjsonEncoderStream extends TransformStream<unknown, Uint8Array> {
  constructor() {
    const encoder = new TextEncoder();
    super({
      transform(value, controller) {
        controller.enqueue(encoder.encode(JSON.stringify(value) + "\n"));
      },
    });
  }
}
