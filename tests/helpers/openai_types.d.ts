/**
 * The small part of the `openai` package's API the relay tests use to
 * check the fake upstream's wire format.
 *
 * The package's own declarations pull the newest `@types/node` into the
 * type check, which changes the `node:assert` types
 * `tests/helpers/assert.ts` relies on (the same trap as puppeteer-core,
 * see tests/browser/puppeteer_types.d.ts); the import points here with
 * `@ts-types` instead.
 * @module
 */

export interface ClientOptions {
  baseURL: string;
  apiKey: string;
  maxRetries?: number;
}

export interface ChatCompletionChunk {
  choices: { index: number; delta: { role?: string; content?: string | null } }[];
}

export interface ResponseStreamEvent {
  type: string;
  /** Set on `response.output_text.delta`. */
  delta?: string;
}

export interface ChatMessage {
  role: "user" | "assistant" | "system";
  content: string;
}

/** The official client. */
export default class OpenAI {
  constructor(options: ClientOptions);
  chat: {
    completions: {
      create(body: {
        model: string;
        messages: ChatMessage[];
        stream: true;
      }): Promise<AsyncIterable<ChatCompletionChunk>>;
    };
  };
  responses: {
    create(body: {
      model: string;
      input: string;
      stream: true;
    }): Promise<AsyncIterable<ResponseStreamEvent>>;
  };
  static APIError: new (...args: never[]) => Error;
}
