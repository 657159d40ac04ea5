import { assertEquals, assertMatch } from "./helpers/assert.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";

/** A throwaway self-signed certificate for localhost and 127.0.0.1. */
async function selfSigned(dir: string): Promise<{ cert: string; key: string }> {
  const cert = `${dir}/cert.pem`;
  const key = `${dir}/key.pem`;
  const { code, stderr } = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-days",
      "1",
      "-keyout",
      key,
      "-out",
      cert,
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(new TextDecoder().decode(stderr));
  return { cert, key };
}

/** Runs curl; returns the body bytes and `%{http_version}`. */
async function curl(args: string[]): Promise<{ body: Uint8Array; version: string }> {
  const out = await Deno.makeTempFile({ prefix: "sluice-curl-" });
  try {
    const { code, stdout, stderr } = await new Deno.Command("curl", {
      args: ["-sS", "-k", "-o", out, "-w", "%{http_version}", ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (code !== 0) throw new Error(`curl exited ${code}: ${new TextDecoder().decode(stderr)}`);
    return { body: await Deno.readFile(out), version: new TextDecoder().decode(stdout) };
  } finally {
    await Deno.remove(out);
  }
}

const MiB = 1024 * 1024;
const fixture = new Uint8Array(2 * MiB).map((_, i) => (i * 31 + (i >> 11)) & 0xff);

Deno.test("startServer() serves byte-exact ranges over HTTPS with HTTP/1.1 and HTTP/2", async (t) => {
  await using dir = await tempDir({ "digits.txt": "0123456789", "big.bin": fixture });
  await using certs = await tempDir();
  const tls = await selfSigned(certs.path);
  await using server = startTestServer(dir.path, tls);
  assertMatch(server.url, /^https:\/\//);

  for (const [flag, version] of [["--http1.1", "1.1"], ["--http2", "2"]]) {
    await t.step(`curl ${flag}: a small suffix range`, async () => {
      const res = await curl([flag, "-r", "-3", server.href("/digits.txt")]);
      assertEquals(res.version, version);
      assertEquals(new TextDecoder().decode(res.body), "789");
    });
    await t.step(`curl ${flag}: an unaligned range of a 2 MiB file`, async () => {
      const res = await curl([flag, "-r", "100001-1500000", server.href("/big.bin")]);
      assertEquals(res.version, version);
      assertEquals(res.body.length, 1_400_000);
      assertEquals(res.body, fixture.subarray(100001, 1500001));
    });
    await t.step(`curl ${flag}: an unaligned range to the end of a 2 MiB file`, async () => {
      const res = await curl([flag, "-r", "300001-", server.href("/big.bin")]);
      assertEquals(res.version, version);
      assertEquals(res.body, fixture.subarray(300001));
    });
    await t.step(`curl ${flag}: the whole 2 MiB file`, async () => {
      const res = await curl([flag, server.href("/big.bin")]);
      assertEquals(res.body, fixture);
    });
  }
});

Deno.test("startServer() streams SSE over HTTPS with HTTP/1.1 and HTTP/2", async (t) => {
  await using dir = await tempDir();
  await using certs = await tempDir();
  await using server = startTestServer(dir.path, await selfSigned(certs.path));
  for (const [flag, version] of [["--http1.1", "1.1"], ["--http2", "2"]]) {
    await t.step(`curl ${flag}`, async () => {
      const res = await curl([flag, "-N", server.href("/_/sse/countdown?from=2&interval=10")]);
      assertEquals(res.version, version);
      const text = new TextDecoder().decode(res.body);
      const data = [...text.matchAll(/^data: (.*)$/gm)].map((m) => m[1]);
      assertEquals(data, ["2", "1", "liftoff"]);
      assertMatch(text, /^event: done$/m);
    });
  }
});

Deno.test("startServer() answers Deno's fetch over TLS with a trusted certificate", async () => {
  await using dir = await tempDir({ "big.bin": fixture });
  await using certs = await tempDir();
  const tls = await selfSigned(certs.path);
  await using server = startTestServer(dir.path, tls);
  using client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(tls.cert)] });
  const res = await fetch(server.href("/big.bin").replace("127.0.0.1", "localhost"), {
    client,
    headers: { range: "bytes=2000000-" },
  });
  assertEquals(res.status, 206);
  assertEquals(new Uint8Array(await res.arrayBuffer()), fixture.subarray(2_000_000));
});

Deno.test("upload() stores a PUT body sent over HTTP/2", async () => {
  await using dir = await tempDir({ "source.bin": fixture });
  await using root = await tempDir();
  await using certs = await tempDir();
  await using server = startTestServer(root.path, {
    ...await selfSigned(certs.path),
    upload: true,
  });
  const res = await curl(["--http2", "-T", `${dir.path}/source.bin`, server.href("/up.bin")]);
  assertEquals(res.version, "2");
  assertEquals(await Deno.readFile(`${root.path}/up.bin`), fixture);
});
