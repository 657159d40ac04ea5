import { escapeHtml } from "./escape_html.ts";
import { renderPageHead } from "./page_head.ts";

function page(title: string, body: string, script?: string): string {
  const head = renderPageHead({
    titleHtml: escapeHtml(title),
    styles: ["style.css", "share.css"],
    script,
  });
  return `${head}
<body class="share-page">
<main class="share-card">
${body}
</main>
</body>
</html>
`;
}

/**
 * A small page saying why a share link cannot be used (unknown, expired,
 * too many attempts): a heading and one sentence, nothing about the server.
 */
export function renderShareMessage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}

/**
 * The password form of a protected share link; it posts back to the link
 * itself, which answers with a cookie and a redirect.
 */
export function renderPasswordPage(wrong: boolean): string {
  return page(
    "Password required",
    `<h1>Password required</h1>
<p>This link is protected by a password.</p>
<form method="post" class="share-password">
<label for="share-password">Password</label>
<input type="password" id="share-password" name="password" autocomplete="current-password" required autofocus>
<button type="submit">Open</button>
</form>${wrong ? `\n<p class="share-error" role="alert">Wrong password, try again.</p>` : ""}`,
  );
}

/** What the drop-box page tells the uploader about the share's limits. */
export interface DropBoxModel {
  /** Epoch ms, or `null` for never. */
  expiresAt: number | null;
  maxBytes: number | null;
  maxFiles: number | null;
}

/**
 * The drop-box page: a friendly upload form that shows nothing of the
 * folder's contents; `/_/static/dropbox.js` uploads with progress.
 */
export function renderDropBoxPage(model: DropBoxModel): string {
  const limits = [
    model.maxFiles === null ? "" : `up to ${model.maxFiles} files`,
    model.maxBytes === null
      ? ""
      : `<span data-bytes="${model.maxBytes}">${model.maxBytes} bytes</span> in all`,
    model.expiresAt === null
      ? ""
      : `until <time datetime="${new Date(model.expiresAt).toISOString()}">${
        new Date(model.expiresAt).toISOString().slice(0, 16).replace("T", " ")
      } UTC</time>`,
  ].filter((s) => s !== "");
  return page(
    "Drop box",
    `<h1>Drop box</h1>
<p>Send files to the owner of this link. You will not see what is already here, and nothing is overwritten.${
      limits.length > 0 ? ` This link takes ${limits.join(", ")}.` : ""
    }</p>
<div class="dropzone drop-target" id="drop-zone">
<p>Drop files here, or</p>
<p class="drop-buttons"><button type="button" id="drop-choose">Choose files…</button>
<button type="button" id="drop-choose-folder">Choose a folder…</button></p>
<input type="file" id="drop-input" multiple hidden>
<input type="file" id="drop-folder-input" webkitdirectory hidden>
</div>
<p class="drop-status" id="drop-status" role="status" aria-live="polite"></p>
<ul class="drop-list" id="drop-list"></ul>`,
    "dropbox.js",
  );
}
