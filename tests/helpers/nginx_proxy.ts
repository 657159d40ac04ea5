/**
 * nginx as a round-robin load balancer in front of Sluice instances, with
 * the proxy settings docs/scale.md recommends (no buffering, long timeouts),
 * for the cluster test. Needs Debian's `nginx`.
 *
 * @module
 */
import { join } from "node:path";
import { freePort } from "./redis_server.ts";

/** Whether nginx is installed. */
export function hasNginx(): boolean {
  for (const path of ["/usr/sbin/nginx", "/usr/bin/nginx"]) {
    try {
      if (Deno.statSync(path).isFile) return true;
    } catch {
      // Try the next place.
    }
  }
  return false;
}

/** Whether this process runs as root (read from /proc: no --allow-sys needed). */
function runningAsRoot(): boolean {
  try {
    return /^Uid:\s+0\s/m.test(Deno.readTextFileSync("/proc/self/status"));
  } catch {
    return false;
  }
}

/** A running nginx proxy; `await using` stops it. */
export interface NginxProxy extends AsyncDisposable {
  url: string;
  href(path: string): string;
}

/** The generated config: one upstream over `ports`, as in docs/scale.md. */
export function proxyConfig(prefix: string, port: number, ports: number[]): string {
  return `daemon off;
master_process off;
worker_processes 1;
${runningAsRoot() ? "user root;" : ""}
pid ${join(prefix, "nginx.pid")};
error_log ${join(prefix, "error.log")} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(prefix, "client_body")};
  proxy_temp_path ${join(prefix, "proxy")};
  fastcgi_temp_path ${join(prefix, "fastcgi")};
  uwsgi_temp_path ${join(prefix, "uwsgi")};
  scgi_temp_path ${join(prefix, "scgi")};
  upstream sluice {
${ports.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join("\n")}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    location / {
      proxy_pass http://sluice;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }
  }
}
`;
}

/** Starts nginx in the foreground in front of the instances on `ports`. */
export async function startNginxProxy(ports: number[]): Promise<NginxProxy> {
  const prefix = await Deno.makeTempDir({ prefix: "sluice-nginx-" });
  const port = freePort();
  const conf = join(prefix, "nginx.conf");
  await Deno.writeTextFile(conf, proxyConfig(prefix, port, ports));
  const child = new Deno.Command("nginx", {
    args: ["-c", conf, "-p", prefix],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  // Ready when a request goes through to an instance (not merely when the port opens).
  for (let i = 0;; i++) {
    try {
      const health = await fetch(`http://127.0.0.1:${port}/_/health`);
      await health.body?.cancel();
      if (health.status !== 200) throw new Error(`/_/health through nginx: ${health.status}`);
      break;
    } catch (error) {
      if (i > 200) {
        child.kill("SIGKILL");
        await child.status;
        const log = await Deno.readTextFile(join(prefix, "error.log")).catch(() => "");
        throw new Error(`nginx did not start: ${(error as Error).message}\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    href: (path) => new URL(path, url).href,
    async [Symbol.asyncDispose]() {
      child.kill("SIGQUIT");
      await child.status;
      await Deno.remove(prefix, { recursive: true });
    },
  };
}
