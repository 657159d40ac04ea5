/**
 * Std-style assertion names over `node:assert/strict` (JSR is out of reach).
 * @module
 */
import assert from "node:assert/strict";

/** Deep strict equality. */
export const assertEquals: <T>(actual: unknown, expected: T, message?: string) => void =
  assert.deepStrictEqual;
/** Deep strict inequality. */
export const assertNotEquals: (actual: unknown, expected: unknown, message?: string) => void =
  assert.notDeepStrictEqual;
/** Truthiness. */
export const assertOk: (value: unknown, message?: string) => asserts value = assert.ok;
/** Regular-expression match. */
export const assertMatch: (actual: string, expected: RegExp, message?: string) => void =
  assert.match;
/** The function throws (optionally a given class). */
export const assertThrows: (fn: () => unknown, expected?: unknown) => void = (fn, expected) =>
  expected === undefined ? assert.throws(fn) : assert.throws(fn, expected as Error);
/** The promise rejects (optionally with a given class). */
export const assertRejects: (fn: () => Promise<unknown>, expected?: unknown) => Promise<void> = (
  fn,
  expected,
) => expected === undefined ? assert.rejects(fn) : assert.rejects(fn, expected as Error);
