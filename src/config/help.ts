/** The `--help` text. */
export const HELP = `sluice — a streaming file server

Usage: sluice [ROOT] [flags]        (ROOT defaults to ".")

Flags (each also read from an environment variable, e.g. SLUICE_PORT):
  --host HOST            address to bind (default 127.0.0.1)
  -p, --port PORT        port (default 8000; 0 picks a free port)
  --dotfiles             serve and list dot-entries (hidden by default)
  --no-listing           no directory listings (404 unless an index file exists)
  --index NAME           serve NAME (e.g. index.html) for a directory
  --cors [ORIGIN]        allow cross-origin requests from ORIGIN (default *)
  --watch                trust a watcher of ROOT instead of a stat per cache hit:
                         faster small files; not for network filesystems
  --quiet                no access log
  --log-format FORMAT    text (default) or json
  --upload               enable writes: PUT uploads, PUT dir/ (mkdir), DELETE, MOVE
  --max-upload SIZE      largest upload (default 10GiB; e.g. 500MB, 2GiB)
  --auth USER:PASS[:rw|:ro]  HTTP Basic user (repeatable; PASS may be sha256:<hex>)
  --anonymous-read       let clients without credentials read
  --insecure             allow writes on a non-loopback host without --auth
  --cert FILE --key FILE serve HTTPS (HTTP/2 via ALPN)
  --heartbeat MS         SSE heartbeat interval (default 15000)
  --grace MS             on shutdown, how long uploads and downloads may finish (default 10000)
  --max-streams N        concurrent long-lived requests per client (default 64)
  -h, --help             show this help
  -V, --version          show the version

Reserved paths: everything under /_/ belongs to Sluice (UI, live streams,
API); a folder named "_" under ROOT is shadowed there.
`;
