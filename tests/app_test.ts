import { createApp } from "../src/app.ts";
import { parseConfig } from "../src/config/parse_config.ts";
import { FileStore } from "../src/fs/file_store.ts";
import { Metrics } from "../src/metrics.ts";
import { ServerState } from "../src/server_state.ts";
import { assertEquals } from "./helpers/assert.ts";
import { captureConsole } from "./helpers/console.ts";
import { tempDir } from "./helpers/server.ts";

const INFO = {
  remoteAddr: { hostname: "127.0.0.1", port: 1, transport: "tcp" },
  completed: Promise.resolve(),
} as Deno.ServeHandlerInfo<Deno.NetAddr>;

Deno.test("createApp() answers 499 without an error log when the client left mid-work", async () => {
  await using dir = await tempDir();
  const config = parseConfig([dir.path, "--quiet"]);
  const deps = {
    config,
    store: new FileStore(dir.path),
    state: new ServerState(),
    metrics: new Metrics(),
    staticDir: dir.path,
  };
  const controller = new AbortController();
  const app = createApp(deps, [{
    path: "/",
    prefix: true,
    methods: {
      GET: async (request) => {
        // Long work that notices the client leaving, as a folder walk does.
        controller.abort();
        await Promise.resolve();
        request.signal.throwIfAborted();
        return new Response("never");
      },
    },
  }]);
  const errors = await captureConsole("error", async () => {
    const res = await app(new Request("http://x/", { signal: controller.signal }), INFO);
    assertEquals(res.status, 499);
    assertEquals(await res.text(), "Client closed request\n");
  });
  assertEquals(errors, []);
  assertEquals([...deps.metrics.requests], [["GET 499", 1]]);
});
