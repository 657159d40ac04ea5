/**
 * Std-style assertion names over `node:assert/strict` (JSR is out of reach).
 * @module
 */
import assert from "node:assert/strict";

// Wrappers rather than aliases: an npm package's typings may bring npm's
// @types/node, whose node:assert overloads take the message differently.

/** Deep strict equality. */
export function assertEquals<T>(actual: unknown, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message as string);
}
/** Deep strict inequality. */
export function assertNotEquals(actual: unknown, expected: unknown, message?: string): void {
  assert.notDeepStrictEqual(actual, expected, message as string);
}
/** Truthiness. */
export function assertOk(value: unknown, message?: string): asserts value {
  assert.ok(value, message as string);
}
/** Regular-expression match. */
export function assertMatch(actual: string, expected: RegExp, message?: string): void {
  assert.match(actual, expected, message as string);
}
/** The function throws (optionally a given class). */
export const assertThrows: (fn: () => unknown, expected?: unknown) => void = (fn, expected) =>
  expected === undefined ? assert.throws(fn) : assert.throws(fn, expected as Error);
/** The promise rejects (optionally with a given class). */
export const assertRejects: (fn: () => Promise<unknown>, expected?: unknown) => Promise<void> = (
  fn,
  expected,
) => expected === undefined ? assert.rejects(fn) : assert.rejects(fn, expected as Error);
