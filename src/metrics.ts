/**
 * Request counters exposed at `/_/metrics` in Prometheus text format.
 * Bytes sent are counted from `Content-Length` when known.
 */
export class Metrics {
  readonly requests = new Map<string, number>();
  bytesSent = 0;
  bytesReceived = 0;
  readonly uploadFailures = new Map<string, number>();

  /** Records one answered request. */
  record(method: string, status: number, bytes: number): void {
    const key = `${method} ${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    this.bytesSent += bytes;
  }

  /** Records a failed upload by reason (`limit`, `aborted`, `digest`, …). */
  uploadFailed(reason: string): void {
    this.uploadFailures.set(reason, (this.uploadFailures.get(reason) ?? 0) + 1);
  }
}
