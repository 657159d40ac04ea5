import { Secret } from "./secret.ts";
import { UsageError } from "./usage_error.ts";

/** The language-model relay behind `/_/sse/chat`. */
export interface LlmConfig {
  /** Base URL of an OpenAI-compatible API (`…/v1`), or its full `/chat/completions` or `/responses` URL. */
  url: string;
  /** Model name sent upstream; `null` leaves it out (llama.cpp serves one model). */
  model: string | null;
  /** Bearer key for the upstream, from `SLUICE_LLM_KEY` only; `null` sends none. */
  key: Secret | null;
  /** Longest a whole answer may take, in milliseconds. */
  timeout: number;
  /** Longest the upstream may stay silent, in milliseconds. */
  idle: number;
}

/** The relay's string flags (each with its `SLUICE_*` variable). */
export const LLM_FLAGS = ["llm-url", "llm-model", "llm-timeout", "llm-idle"] as const;

/** The variable holding the key: deliberately no flag, so it never shows in `ps`. */
export const LLM_KEY_ENV = "SLUICE_LLM_KEY";

/**
 * The relay's settings, or `null` without `--llm-url`. `text` reads a flag
 * or its variable; `parseInteger` checks a whole number in bounds.
 *
 * @throws {UsageError} for a URL that is not http(s) or carries credentials,
 * or bad time limits.
 */
export function parseLlmConfig(
  text: (flag: string) => string | undefined,
  key: string | undefined,
  parseInteger: (name: string, raw: string, min: number, max: number) => number,
): LlmConfig | null {
  const raw = text("llm-url")?.trim();
  if (raw === undefined || raw === "") return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--llm-url must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--llm-url must be an http(s) URL, got "${raw}"`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new UsageError("--llm-url must not contain credentials: put the key in SLUICE_LLM_KEY");
  }
  const model = text("llm-model")?.trim() || null;
  return {
    url: url.href,
    model,
    key: key?.trim() ? new Secret(key.trim()) : null,
    timeout: parseInteger("--llm-timeout", text("llm-timeout") ?? "300000", 1000, 86_400_000),
    idle: parseInteger("--llm-idle", text("llm-idle") ?? "60000", 100, 3_600_000),
  };
}
