import { HttpError } from "../http/http_error.ts";
import { errorBody, XML_CONTENT_TYPE } from "./xml_writer.ts";

/**
 * An `HttpError` whose body is a WebDAV `<D:error>` naming a precondition
 * (RFC 4918 §16), such as `lock-token-submitted` with the locked URLs.
 *
 * @example
 * ```ts
 * throw new DavError(423, "Locked", "lock-token-submitted", ["/a.txt"]);
 * ```
 */
export class DavError extends HttpError {
  override name = "DavError";
  /** The XML body. */
  readonly xml: string;

  constructor(
    status: number,
    message: string,
    condition: string,
    hrefs: string[] = [],
    headers?: HeadersInit,
  ) {
    super(status, message, headers);
    this.xml = errorBody(condition, hrefs);
  }
}

/** The response for a `DavError`: its XML body (none for HEAD). */
export function davErrorResponse(error: DavError, request: Request): Response {
  const headers = new Headers(error.headers);
  headers.set("content-type", XML_CONTENT_TYPE);
  const bytes = new TextEncoder().encode(error.xml);
  headers.set("content-length", String(bytes.length));
  return new Response(request.method === "HEAD" ? null : bytes, { status: error.status, headers });
}
