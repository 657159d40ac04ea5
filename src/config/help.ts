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
  --no-compress          never compress responses (default: gzip/br/zstd for text)
  --quiet                no access log
  --log-format FORMAT    text (default) or json
  --upload               enable writes: PUT uploads, PUT dir/ (mkdir), DELETE, MOVE,
                         WebDAV (MKCOL, COPY, PROPPATCH, LOCK, UNLOCK), resumable
                         uploads (/_/uploads/) and share links
  --dav-strict           RFC 4918 to the letter: PUT, COPY and MOVE into a missing
                         folder answer 409 instead of creating it
  --max-upload SIZE      largest upload (default 10GiB; e.g. 500MB, 2GiB)
  --drop-upload-cache    drop uploaded bytes from the page cache once they are on
                         disk (Linux; run Deno with --allow-ffi)
  --upload-expiry TIME   drop unfinished resumable uploads idle this long (default 24h)
  --auth USER:PASS[:rw|:ro]  HTTP Basic user (repeatable; PASS may be sha256:<hex>)
  --anonymous-read       let clients without credentials read
  --insecure             allow writes on a non-loopback host without --auth
  --cert FILE --key FILE serve HTTPS (HTTP/2 via ALPN)
  --heartbeat MS         SSE heartbeat interval (default 15000)
  --grace MS             on shutdown, how long uploads and downloads may finish (default 10000)
  --max-streams N        concurrent long-lived requests per client (default 64)
  --body-timeout MS      cut off an upload body that sends nothing this long with 408
                         (default 60000; 0: off)
  --header-timeout MS    close a connection that has not sent its request headers by
                         then (default 0: off; any of these three connection limits
                         turns WebSocket off, see README "Limits")
  --keepalive-timeout MS close a connection idle between requests (default 0: off)
  --max-client-connections N  open connections per client address; more get 429
                         (default 0: no cap)
  --max-memory SIZE      near this RSS, new long-lived streams get 503 (default 2GiB)
  --stale-temp-age MS    at start, remove upload temp files unchanged this long
                         (default 3600000)
  --state DIR            folder of the state store (locks, uploads, shares; default:
                         one per ROOT under $XDG_STATE_HOME/sluice or ~/.local/state/sluice)
  --redis URL            share state and the change feed through Redis (cluster mode)
  --llm-url URL          relay a language model at /_/sse/chat: an OpenAI-compatible base
                         URL (…/v1) or its /chat/completions or /responses URL; the key
                         comes only from the SLUICE_LLM_KEY environment variable
  --llm-model NAME       model name sent upstream (default: none)
  --llm-timeout MS       longest a relayed answer may take (default 300000)
  --llm-idle MS          longest the model may stay silent (default 60000)
  -h, --help             show this help
  -V, --version          show the version

Reserved paths: everything under /_/ belongs to Sluice (UI, live streams,
API); a folder named "_" under ROOT is shadowed there.
`;
