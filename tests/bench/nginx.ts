/**
 * nginx as the reference server: a generated config equivalent to Sluice
 * serving one folder, started in the foreground from a temporary prefix.
 *
 * @module
 */
import { join } from "node:path";
import { freePort, waitForPort } from "./ports.ts";

/** What the generated config serves and how. */
export interface NginxOptions {
  /** The folder to serve. */
  root: string;
  /** Where nginx keeps its config, logs, pid and temp files. */
  prefix: string;
  port: number;
  sendfile: boolean;
  /** Accept `PUT` (WebDAV module) into `root`, for the upload scenario. */
  upload?: boolean;
  /** Run as root's user when started by root (temp dirs are private). */
  userRoot?: boolean;
  /**
   * `gzip on` and `gzip_static on` for text (`.txt` as `text/plain`), as
   * Sluice compresses: from 1 KiB, with `Vary: Accept-Encoding`.
   */
  gzip?: boolean;
}

/** The gzip settings of the compression scenario (nginx's default level, 1). */
const GZIP_CONFIG = `  types {
    text/plain txt;
  }
  gzip on;
  gzip_static on;
  gzip_vary on;
  gzip_min_length 1024;
  gzip_types text/plain;
`;

/**
 * The config text. One worker, no master process, no access log,
 * `tcp_nopush off` (Debian's `on` stalls ~40 ms on unaligned ranges, see
 * docs/perf-notes.md), and nothing Sluice does not do either (no open_file_cache).
 */
export function nginxConfig(options: NginxOptions): string {
  const { prefix } = options;
  return `${options.userRoot ? "user root;\n" : ""}daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 65536;
pid ${join(prefix, "nginx.pid")};
error_log ${join(prefix, "error.log")} warn;
events {
  worker_connections 20000;
}
http {
  access_log off;
  sendfile ${options.sendfile ? "on" : "off"};
  tcp_nopush off;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  default_type application/octet-stream;
${options.gzip ? GZIP_CONFIG : ""}  client_body_temp_path ${join(prefix, "client_body")};
  proxy_temp_path ${join(prefix, "proxy")};
  fastcgi_temp_path ${join(prefix, "fastcgi")};
  uwsgi_temp_path ${join(prefix, "uwsgi")};
  scgi_temp_path ${join(prefix, "scgi")};
  server {
    listen 127.0.0.1:${options.port};
    root ${options.root};
    location / {
${
    options.upload
      ? "      dav_methods PUT;\n      client_max_body_size 0;\n      create_full_put_path on;\n"
      : ""
  }    }
  }
}
`;
}

/** A running nginx. */
export interface NginxProcess extends AsyncDisposable {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Writes the config into a fresh prefix and starts nginx in the foreground. */
export async function startNginx(
  options: Omit<NginxOptions, "port" | "prefix">,
  pin: string[],
): Promise<NginxProcess> {
  const prefix = await Deno.makeTempDir({ prefix: "sluice-bench-nginx-" });
  const port = freePort();
  const conf = join(prefix, "nginx.conf");
  await Deno.writeTextFile(
    conf,
    nginxConfig({ ...options, prefix, port, userRoot: Deno.uid() === 0 }),
  );
  const [program, ...args] = [...pin, "nginx", "-c", conf, "-p", prefix];
  const child = new Deno.Command(program, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  try {
    await waitForPort(port, child.status);
  } catch (error) {
    const log = await Deno.readTextFile(join(prefix, "error.log")).catch(() => "");
    throw new Error(`nginx did not start: ${(error as Error).message}\n${await stderr}${log}`);
  }
  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= (async () => {
      try {
        child.kill("SIGQUIT");
      } catch {
        // Already gone.
      }
      await child.status;
      await stderr;
      await Deno.remove(prefix, { recursive: true });
    })();
    return stopped;
  };
  return {
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
