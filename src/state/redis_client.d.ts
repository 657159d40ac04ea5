/**
 * The part of `@redis/client` that `redis_store.ts` uses. Declared here so
 * the package's own typings (which pull in npm's `@types/node` over Deno's
 * built-in Node types) stay out of the type-check graph.
 */
export interface RedisClient {
  readonly isReady: boolean;
  readonly isOpen: boolean;
  on(event: "error", listener: (error: Error) => void): this;
  on(event: "ready" | "end" | "connect", listener: () => void): this;
  connect(): Promise<RedisClient>;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(overrides?: Partial<RedisClientOptions>): RedisClient;
  destroy(): void;
}

/** Options of `createClient` that Sluice sets. */
export interface RedisClientOptions {
  url: string;
  disableOfflineQueue?: boolean;
  socket?: {
    connectTimeout?: number;
    reconnectStrategy?: (retries: number, cause: Error) => number | false | Error;
  };
}

export function createClient(options: RedisClientOptions): RedisClient;
