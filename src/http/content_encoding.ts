import { HttpError } from "./http_error.ts";

/**
 * Refuses a request body with a content coding (RFC 9110 §8.4): Sluice reads
 * bodies as they are, and would otherwise store or parse compressed bytes.
 *
 * @throws {HttpError} 415 unless `Content-Encoding` is absent or `identity`.
 */
export function rejectContentEncoding(headers: Headers): void {
  const encoding = headers.get("content-encoding")?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== "identity") {
    throw new HttpError(415, "Content-Encoding is not supported for request bodies");
  }
}
