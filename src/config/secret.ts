const REDACTED = "[redacted]";

/**
 * A value that must never be printed: `String()`, JSON, template literals
 * and `console.log`/`Deno.inspect` all show `[redacted]`; only `reveal()`
 * gives the value, at the one place that sends it.
 *
 * @example
 * ```ts
 * const key = new Secret("sk-…");
 * `${key}`; // "[redacted]"
 * headers.set("authorization", `Bearer ${key.reveal()}`);
 * ```
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The value itself. */
  reveal(): string {
    return this.#value;
  }

  /** `[redacted]`. */
  toString(): string {
    return REDACTED;
  }

  /** `[redacted]`, for `JSON.stringify`. */
  toJSON(): string {
    return REDACTED;
  }

  /** `[redacted]`, for `console.log` and `Deno.inspect`. */
  [Symbol.for("Deno.customInspect")](): string {
    return REDACTED;
  }
}
