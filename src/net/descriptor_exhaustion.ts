import { HttpError } from "../http/http_error.ts";
import { RateLimitedLog } from "./rate_limited_log.ts";

/**
 * Whether `error` is the process (`EMFILE`) or the system (`ENFILE`)
 * running out of file descriptors. Deno sets `code` on most errors; the
 * watcher's errors carry only the OS error number in the message.
 */
export function isDescriptorExhaustion(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code === "EMFILE" || code === "ENFILE") return true;
  return /\(os error 2[34]\)/.test(error.message);
}

/** One line per second at most, shared by every place that meets exhaustion. */
const log = new RateLimitedLog((line) => console.error(line));

/**
 * Logs (rate-limited) that descriptors ran out while doing `what`, with the
 * way out: fewer idle connections or a higher `ulimit -n`.
 */
export function reportDescriptorExhaustion(what: string): void {
  log.write(
    `Out of file descriptors while ${what}: answering 503 and retrying; ` +
      "raise the limit (ulimit -n, LimitNOFILE=) or cap clients (--max-client-connections)",
  );
}

/** The answer to a request that met descriptor exhaustion: 503, try again in a second. */
export function descriptorExhaustionError(): HttpError {
  return new HttpError(503, "Server is out of file descriptors, try again shortly", {
    "retry-after": "1",
  });
}
