import type { Config } from "./parse_config.ts";

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) ||
    /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Refuses configurations that would let anyone on the network write: writes
 * on a non-loopback host without any `--auth` user, unless `--insecure`.
 *
 * @returns `null` when safe to start, otherwise a one-line explanation.
 *
 * @example
 * ```ts
 * checkSafety({ ...config, upload: true, host: "0.0.0.0", auth: [] }); // "refusing to …"
 * ```
 */
export function checkSafety(
  config: Pick<Config, "upload" | "host" | "auth" | "insecure">,
): string | null {
  if (!config.upload || config.insecure || config.auth.length > 0) return null;
  if (isLoopback(config.host)) return null;
  return `refusing to enable --upload on ${config.host} without --auth: anyone who can reach ` +
    `it could write (add --auth USER:PASS:rw, or --insecure if you really mean it)`;
}
