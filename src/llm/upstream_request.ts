import type { LlmConfig } from "../config/llm_config.ts";
import type { ChatMessage } from "./chat_request.ts";

/** Which OpenAI-style API the upstream URL names. */
export type UpstreamApi = "chat" | "responses";

/** A streaming request to the upstream, ready for `fetch`. */
export interface UpstreamRequest {
  url: string;
  headers: Headers;
  body: string;
}

/**
 * Where to send a chat: a URL ending in `/chat/completions` or `/responses`
 * is used as it is; any other is a base URL (`https://api.openai.com/v1`,
 * `http://127.0.0.1:8080/v1`) that gets `/chat/completions` appended.
 *
 * @example
 * ```ts
 * upstreamEndpoint("http://localhost:11434/v1"); // { url: "http://localhost:11434/v1/chat/completions", api: "chat" }
 * ```
 */
export function upstreamEndpoint(base: string): { url: string; api: UpstreamApi } {
  const url = new URL(base);
  const path = url.pathname.replace(/\/+$/, "");
  if (path.endsWith("/responses")) return { url: url.href, api: "responses" };
  if (path.endsWith("/chat/completions")) return { url: url.href, api: "chat" };
  url.pathname = `${path}/chat/completions`;
  return { url: url.href, api: "chat" };
}

/**
 * The upstream request for `messages` with streaming on: a Chat Completions
 * body (`{model, messages, stream: true}`) or a Responses one
 * (`{model, input, stream: true}`), and the key as a Bearer token when one
 * is configured.
 */
export function upstreamRequest(llm: LlmConfig, messages: ChatMessage[]): UpstreamRequest {
  const { url, api } = upstreamEndpoint(llm.url);
  const headers = new Headers({
    "content-type": "application/json",
    accept: "text/event-stream",
  });
  if (llm.key !== null) headers.set("authorization", `Bearer ${llm.key.reveal()}`);
  const model = llm.model === null ? {} : { model: llm.model };
  const body = api === "chat"
    ? { ...model, messages, stream: true }
    : { ...model, input: messages, stream: true };
  return { url, headers, body: JSON.stringify(body) };
}
