/**
 * The OS error code (`"ENOSPC"`, `"ENOTEMPTY"`, …) Deno attaches to a
 * file-system error, or `undefined`.
 *
 * @example
 * ```ts
 * errorCode(new Deno.errors.NotFound("…")); // "ENOENT" when Deno set one
 * ```
 */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
}
