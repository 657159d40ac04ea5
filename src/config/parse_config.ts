import { parseArgs } from "node:util";
import { LLM_FLAGS, LLM_KEY_ENV, type LlmConfig, parseLlmConfig } from "./llm_config.ts";
import { parseByteSize } from "./parse_byte_size.ts";
import { parseDuration } from "./parse_duration.ts";
import { UsageError } from "./usage_error.ts";

/** Access level granted to an authenticated user. */
export type Access = "ro" | "rw";

/** One `--auth user:password[:rw|:ro]` entry. */
export interface AuthUser {
  user: string;
  /** Either the plain password or `sha256:<hex>`. */
  password: string;
  access: Access;
}

/** Everything the server needs to know, parsed from argv and env. */
export interface Config {
  root: string;
  host: string;
  port: number;
  dotfiles: boolean;
  listing: boolean;
  index: string | null;
  /** `null` when CORS is off, `"*"` or one origin when on. */
  cors: string | null;
  quiet: boolean;
  upload: boolean;
  /**
   * WebDAV to the letter of RFC 4918 (`--dav-strict`): PUT, COPY and MOVE
   * into a missing folder answer 409 instead of creating it.
   */
  davStrict: boolean;
  maxUpload: number;
  /** How long an unfinished resumable upload is kept after its last append (ms). */
  uploadExpiry: number;
  auth: AuthUser[];
  anonymousRead: boolean;
  insecure: boolean;
  /** Watch ROOT from the start, so cached small files need no stat per hit. */
  watch: boolean;
  /** Compress text-like responses for clients that accept it (off with `--no-compress`). */
  compress: boolean;
  cert: string | null;
  key: string | null;
  logFormat: "text" | "json";
  /** SSE heartbeat interval in milliseconds. */
  heartbeat: number;
  /** Shutdown grace period in milliseconds. */
  grace: number;
  /** Concurrent long-lived streams allowed per client address. */
  maxStreams: number;
  /** A new connection must send its first request's headers within this many ms (0: off). */
  headerTimeout: number;
  /** An upload body that sends nothing for this many ms is cut off with 408 (0: off). */
  bodyTimeout: number;
  /** A connection with no request in progress is closed after this many ms (0: off). */
  keepAliveTimeout: number;
  /** Open connections allowed per client address (0: no cap). */
  maxClientConnections: number;
  /** Memory budget in bytes: near it, new long-lived streams are refused with 503. */
  maxMemory: number;
  /** Drop uploaded bytes from the page cache once on disk (Linux, needs FFI). */
  dropUploadCache: boolean;
  /** At start, upload temp files unchanged for this many ms are removed. */
  staleTempAge: number;
  /** Folder of the embedded state store (`--state`); `null` picks the default. */
  state: string | null;
  /** URL of the shared Redis state store (`--redis`), `null` for the embedded one. */
  redis: string | null;
  /** The language-model relay (`/_/sse/chat`); `null` without `--llm-url`. */
  llm: LlmConfig | null;
  help: boolean;
  version: boolean;
}

const BOOLEAN_FLAGS = [
  "dotfiles",
  "no-listing",
  "quiet",
  "upload",
  "dav-strict",
  "anonymous-read",
  "insecure",
  "watch",
  "no-compress",
  "drop-upload-cache",
  "help",
  "version",
] as const;

const STRING_FLAGS = [
  "host",
  "port",
  "index",
  "cors",
  "max-upload",
  "upload-expiry",
  "cert",
  "key",
  "log-format",
  "heartbeat",
  "grace",
  "max-streams",
  "header-timeout",
  "body-timeout",
  "keepalive-timeout",
  "max-client-connections",
  "max-memory",
  "stale-temp-age",
  "state",
  "redis",
  ...LLM_FLAGS,
] as const;

type OptionSpec = { type: "boolean" | "string"; multiple?: boolean; short?: string };
const OPTIONS: Record<string, OptionSpec> = {
  ...Object.fromEntries(BOOLEAN_FLAGS.map((f) => [f, { type: "boolean" }])),
  ...Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: "string" }])),
  auth: { type: "string", multiple: true },
};
OPTIONS.help.short = "h";
OPTIONS.version.short = "V";
OPTIONS.port.short = "p";

/** Environment variable that backs a flag: `max-upload` → `SLUICE_MAX_UPLOAD`. */
export function envName(flag: string): string {
  return `SLUICE_${flag.toUpperCase().replaceAll("-", "_")}`;
}

/** Every environment variable Sluice reads. */
export const ENV_NAMES: readonly string[] = [
  ...BOOLEAN_FLAGS.filter((f) => f !== "help" && f !== "version"),
  ...STRING_FLAGS,
  "auth",
].map(envName).concat(LLM_KEY_ENV);

const TRUE_WORDS = new Set(["1", "true", "yes", "on"]);
const FALSE_WORDS = new Set(["", "0", "false", "no", "off"]);

function envBoolean(env: Record<string, string | undefined>, flag: string): boolean {
  const raw = env[envName(flag)];
  if (raw === undefined) return false;
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new UsageError(`${envName(flag)} must be true or false, got "${raw}"`);
}

function parseInteger(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) {
    throw new UsageError(`${name} must be a whole number, got "${raw}"`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new UsageError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/** Parses `user:password[:rw|:ro]`; the password may contain colons. */
export function parseAuth(spec: string): AuthUser {
  let access: Access = "rw";
  let rest = spec;
  const suffix = /:(rw|ro)$/.exec(spec);
  if (suffix) {
    access = suffix[1] as Access;
    rest = spec.slice(0, -3);
  }
  const colon = rest.indexOf(":");
  if (colon <= 0 || colon === rest.length - 1) {
    throw new UsageError(`--auth must look like user:password[:rw|:ro], got "${spec}"`);
  }
  const password = rest.slice(colon + 1);
  if (password.startsWith("sha256:") && !/^sha256:[0-9a-f]{64}$/i.test(password)) {
    throw new UsageError("--auth sha256: passwords must be 64 hex digits");
  }
  return { user: rest.slice(0, colon), password, access };
}

/**
 * `--cors` takes an optional value: a bare `--cors` (last, or followed by
 * something that is not an origin such as ROOT or another flag) means `*`.
 */
function expandBareCors(argv: readonly string[]): string[] {
  return argv.map((arg, i) =>
    arg === "--cors" && !/^(\*|https?:\/\/)/i.test(argv[i + 1] ?? "") ? "--cors=*" : arg
  );
}

/**
 * The CORS setting from `--cors [ORIGIN]` or `SLUICE_CORS`: `null` when off,
 * `"*"`, or one origin (`scheme://host[:port]`). `SLUICE_CORS` may also be a
 * boolean word (`1`, `true` → `*`; `0`, `false` → off); empty means `*`.
 */
function parseCors(flag: string | undefined, envValue: string | undefined): string | null {
  let value: string;
  if (flag !== undefined) {
    value = flag.trim() || "*";
  } else if (envValue !== undefined) {
    const word = envValue.trim().toLowerCase();
    if (word === "" || TRUE_WORDS.has(word)) return "*";
    if (FALSE_WORDS.has(word)) return null;
    value = envValue.trim();
  } else {
    return null;
  }
  if (value === "*") return value;
  if (!/^https?:\/\/[^/\s?#]+$/i.test(value)) {
    throw new UsageError(`--cors takes * or an origin like https://example.com, got "${value}"`);
  }
  return value;
}

/**
 * Builds the configuration from command-line arguments and environment
 * variables. Flags win over environment variables.
 *
 * @throws {UsageError} on unknown flags or invalid values.
 */
export function parseConfig(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): Config {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: expandBareCors(argv),
      allowPositionals: true,
      strict: true,
      options: OPTIONS,
    });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    throw new UsageError(
      unknown ? `unknown flag ${unknown[1]}` : message.split("\n")[0].replace(/\.$/, ""),
    );
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new UsageError(`expected at most one ROOT, got ${positionals.length}`);
  }
  const flag = (name: string): boolean =>
    values[name as keyof typeof values] === true || envBoolean(env, name);
  const text = (name: string): string | undefined =>
    (values[name as keyof typeof values] as string | undefined) ?? env[envName(name)];

  const portText = text("port") ?? "8000";
  const logFormat = text("log-format") ?? "text";
  if (logFormat !== "text" && logFormat !== "json") {
    throw new UsageError(`--log-format must be text or json, got "${logFormat}"`);
  }
  const authSpecs = (values.auth as string[] | undefined) ??
    (env[envName("auth")]?.split(/\s+/).filter(Boolean) ?? []);
  const cors = parseCors(values.cors as string | undefined, env[envName("cors")]);
  const index = text("index");
  if (index !== undefined && (index === "" || /[/\\\0]/.test(index) || index.startsWith("."))) {
    throw new UsageError(`--index must be a plain file name, got "${index}"`);
  }
  const redis = text("redis") || null;
  if (redis !== null && !/^rediss?:\/\/[^\s]+$/i.test(redis)) {
    throw new UsageError(`--redis must be a redis:// or rediss:// URL, got "${redis}"`);
  }
  if (redis !== null && text("state")) {
    throw new UsageError(
      "--state and --redis exclude each other (with --redis, state lives in Redis)",
    );
  }
  const cert = text("cert") ?? null;
  const key = text("key") ?? null;
  if ((cert === null) !== (key === null)) {
    throw new UsageError("--cert and --key must be given together");
  }

  return {
    root: positionals[0] ?? ".",
    host: text("host") ?? "127.0.0.1",
    port: parseInteger("--port", portText, 0, 65535),
    dotfiles: flag("dotfiles"),
    listing: !flag("no-listing"),
    index: index ?? null,
    cors,
    quiet: flag("quiet"),
    upload: flag("upload"),
    davStrict: flag("dav-strict"),
    maxUpload: parseByteSize(text("max-upload") ?? "10GiB"),
    uploadExpiry: parseDuration(text("upload-expiry") ?? "24h", "--upload-expiry"),
    auth: authSpecs.map(parseAuth),
    anonymousRead: flag("anonymous-read"),
    insecure: flag("insecure"),
    watch: flag("watch"),
    compress: !flag("no-compress"),
    cert,
    key,
    logFormat,
    heartbeat: parseInteger("--heartbeat", text("heartbeat") ?? "15000", 100, 3_600_000),
    grace: parseInteger("--grace", text("grace") ?? "10000", 0, 3_600_000),
    maxStreams: parseInteger("--max-streams", text("max-streams") ?? "64", 1, 1_000_000),
    bodyTimeout: parseInteger("--body-timeout", text("body-timeout") ?? "60000", 0, 3_600_000),
    headerTimeout: parseInteger(
      "--header-timeout",
      text("header-timeout") ?? "0",
      0,
      3_600_000,
    ),
    keepAliveTimeout: parseInteger(
      "--keepalive-timeout",
      text("keepalive-timeout") ?? "0",
      0,
      3_600_000,
    ),
    maxClientConnections: parseInteger(
      "--max-client-connections",
      text("max-client-connections") ?? "0",
      0,
      1_000_000,
    ),
    maxMemory: parseByteSize(text("max-memory") ?? "2GiB"),
    dropUploadCache: flag("drop-upload-cache"),
    staleTempAge: parseInteger(
      "--stale-temp-age",
      text("stale-temp-age") ?? "3600000",
      0,
      31_536_000_000,
    ),
    state: text("state") || null,
    redis,
    llm: parseLlmConfig(text, env[LLM_KEY_ENV], parseInteger),
    help: values.help === true,
    version: values.version === true,
  };
}
