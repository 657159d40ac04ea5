const KNOWN_METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "OPTIONS",
  "PATCH",
  "CONNECT",
  "TRACE",
  "MOVE",
  "COPY",
  "PROPFIND",
  "PROPPATCH",
  "MKCOL",
  "LOCK",
  "UNLOCK",
]);

/** Why an upload failed, as counted in `sluice_upload_failures_total`. */
export type UploadFailure = "limit" | "aborted" | "digest" | "precondition" | "conflict" | "disk";

/**
 * Request counters exposed at `/_/metrics` in Prometheus text format.
 * Bytes sent are counted from `Content-Length` when known; bytes received
 * are the upload bytes read from request bodies.
 *
 * Also an `EventTarget`: it dispatches `"upload-failed"` (a `CustomEvent`
 * whose `detail` is the reason) once a failed upload has been cleaned up.
 */
export class Metrics extends EventTarget {
  readonly requests = new Map<string, number>();
  bytesSent = 0;
  bytesReceived = 0;
  readonly uploadFailures = new Map<string, number>();
  /** Resumable uploads abandoned past `--upload-expiry` and swept. */
  uploadsExpired = 0;
  /** Relayed language-model answers that ended in `event: error`, by kind. */
  readonly chatFailures = new Map<string, number>();

  /**
   * Records one answered request. Methods outside the HTTP and WebDAV ones
   * Sluice knows count as `OTHER`: clients choose method names freely, and
   * each would otherwise add a series that is never dropped.
   */
  record(method: string, status: number, bytes: number): void {
    const key = `${KNOWN_METHODS.has(method) ? method : "OTHER"} ${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    this.bytesSent += bytes;
  }

  /** Records upload bytes read from a request body. */
  received(bytes: number): void {
    this.bytesReceived += bytes;
  }

  /** Records a relayed answer that failed (`unreachable`, `timeout`, …). */
  chatFailed(kind: string): void {
    this.chatFailures.set(kind, (this.chatFailures.get(kind) ?? 0) + 1);
  }

  /** Records a swept resumable upload; dispatches `"upload-expired"`. */
  uploadExpired(): void {
    this.uploadsExpired++;
    this.dispatchEvent(new Event("upload-expired"));
  }

  /** Records a failed upload by reason (`limit`, `aborted`, `digest`, …). */
  uploadFailed(reason: UploadFailure | string): void {
    this.uploadFailures.set(reason, (this.uploadFailures.get(reason) ?? 0) + 1);
    this.dispatchEvent(new CustomEvent("upload-failed", { detail: reason }));
  }
}
