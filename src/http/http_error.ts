/**
 * An error that should reach the client as this status with this message.
 * The message must be safe to show: short, plain, sentence case, no period.
 *
 * @example
 * ```ts
 * throw new HttpError(400, "Invalid percent-encoding in path");
 * ```
 */
export class HttpError extends Error {
  override name = "HttpError";
  readonly status: number;
  readonly headers: HeadersInit | undefined;

  constructor(status: number, message: string, headers?: HeadersInit) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}
