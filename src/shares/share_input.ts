import { HttpError } from "../http/http_error.ts";
import { parseExpiry } from "./expiry.ts";

/** What a share lets its holder do. */
export type ShareMode = "read" | "upload";

/** A validated `POST /_/api/shares` body. */
export interface ShareRequest {
  /** Decoded path segments below ROOT. */
  segments: string[];
  mode: ShareMode;
  /** Epoch ms, or `null` for never. */
  expiresAt: number | null;
  password: string | null;
  maxDownloads: number | null;
  /** Drop boxes: most bytes all uploads together may store. */
  maxBytes: number | null;
  /** Drop boxes: most files all uploads together may store. */
  maxFiles: number | null;
}

const FIELDS = new Set([
  "path",
  "mode",
  "expires",
  "password",
  "maxDownloads",
  "maxBytes",
  "maxFiles",
]);

/** Longest share password, in characters. */
const MAX_PASSWORD = 256;

/** Longest shared path, in characters. */
const MAX_PATH = 4096;

function bad(message: string): HttpError {
  return new HttpError(400, message);
}

/** A path like `/dir/file.txt` (decoded, `/`-separated) as segments. */
function pathSegments(path: unknown): string[] {
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw bad('"path" must be a string starting with /');
  }
  if (path.length > MAX_PATH) throw bad('"path" is too long');
  const segments = path.split("/").filter((s) => s !== "");
  for (const s of segments) {
    if (s === "." || s === "..") throw bad("Dot segment in path");
    if (s.includes("\0") || s.includes("\\")) throw bad("Invalid character in path");
  }
  return segments;
}

function limit(body: Record<string, unknown>, field: string): number | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw bad(`"${field}" must be a positive whole number`);
  }
  return value;
}

/**
 * Validates a share request body (already parsed JSON) against the clock.
 *
 * @throws {HttpError} 400 naming the first problem.
 *
 * @example
 * ```ts
 * parseShareRequest({ path: "/a/", mode: "read", expires: "2h" }, 0).expiresAt; // 7_200_000
 * ```
 */
export function parseShareRequest(body: unknown, now: number): ShareRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw bad("Expected a JSON object");
  }
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!FIELDS.has(key)) throw bad(`Unknown field "${key}"`);
  }
  const segments = pathSegments(record.path);
  const mode = record.mode ?? "read";
  if (mode !== "read" && mode !== "upload") throw bad('"mode" must be "read" or "upload"');
  if (record.expires !== undefined && typeof record.expires !== "string") {
    throw bad('"expires" must be a string such as "2h", an ISO time or "never"');
  }
  let expiresAt: number | null;
  try {
    expiresAt = parseExpiry(record.expires as string | undefined, now);
  } catch (error) {
    throw bad((error as RangeError).message);
  }
  const password = record.password ?? null;
  if (password !== null && (typeof password !== "string" || password === "")) {
    throw bad('"password" must be a non-empty string');
  }
  if (typeof password === "string" && password.length > MAX_PASSWORD) {
    throw bad('"password" is too long');
  }
  const request: ShareRequest = {
    segments,
    mode,
    expiresAt,
    password: password as string | null,
    maxDownloads: limit(record, "maxDownloads"),
    maxBytes: limit(record, "maxBytes"),
    maxFiles: limit(record, "maxFiles"),
  };
  if (mode === "upload" && request.maxDownloads !== null) {
    throw bad('"maxDownloads" is for read shares');
  }
  if (mode === "read" && (request.maxBytes !== null || request.maxFiles !== null)) {
    throw bad('"maxBytes" and "maxFiles" are for upload shares');
  }
  return request;
}
