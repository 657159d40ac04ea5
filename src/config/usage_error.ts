/** Thrown for bad command lines; `main.ts` prints it and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
