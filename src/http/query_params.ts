import { HttpError } from "./http_error.ts";

/**
 * Reads an optional whole-number query parameter within `min..max`.
 *
 * @throws {HttpError} 400 naming the parameter when it is not a whole
 * number or out of bounds.
 *
 * @example
 * ```ts
 * intParam(new URLSearchParams("from=5"), "from", 10, 0, 3600); // 5
 * ```
 */
export function intParam(
  params: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = params.get(name);
  if (raw === null || raw === "") return fallback;
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(400, `Parameter ${name} must be a whole number`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new HttpError(400, `Parameter ${name} must be between ${min} and ${max}`);
  }
  return value;
}
