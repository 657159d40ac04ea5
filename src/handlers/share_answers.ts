import { HttpError } from "../http/http_error.ts";
import { UI_HEADERS } from "../http/ui_headers.ts";
import { renderPasswordPage, renderShareMessage } from "../html/share_pages.ts";

/** The challenge of a protected link: the password is a form field or `X-Share-Password`. */
const SHARE_CHALLENGE = { "www-authenticate": 'SharePassword realm="sluice"' };

const encoder = new TextEncoder();

function acceptsHtml(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes("text/html");
}

/** An HTML page of a share link (never cached: the link may be revoked). */
export function htmlPage(
  request: Request,
  status: number,
  html: string,
  headers: Record<string, string> = {},
): Response {
  const bytes = encoder.encode(html);
  return new Response(request.method === "HEAD" ? null : bytes, {
    status,
    headers: {
      ...UI_HEADERS,
      ...headers,
      "content-type": "text/html; charset=utf-8",
      "content-length": String(bytes.length),
      "cache-control": "no-store",
    },
  });
}

/**
 * A share-level refusal: a small page for browsers; otherwise thrown as an
 * `HttpError`, so the app answers a short plain or JSON reason.
 */
export function refusal(
  request: Request,
  status: number,
  title: string,
  text: string,
  headers: Record<string, string> = {},
): Response {
  if (acceptsHtml(request)) {
    return htmlPage(request, status, renderShareMessage(title, text), headers);
  }
  throw new HttpError(status, title, headers);
}

/** 429 after too many failed tokens or passwords from this client. */
export function tooManyAttempts(request: Request, seconds: number): Response {
  return refusal(
    request,
    429,
    "Too many attempts",
    `Too many failed attempts from your address. Try again in ${seconds} seconds.`,
    { "retry-after": String(seconds) },
  );
}

/** 404 for a share whose file or folder was moved or deleted. */
export function targetGone(request: Request): Response {
  return refusal(
    request,
    404,
    "No longer here",
    "What this link shared has been moved or deleted.",
  );
}

/** 401: the password form for browsers, a short reason otherwise. */
export function askPassword(request: Request, wrong: boolean): Response {
  if (acceptsHtml(request)) {
    return htmlPage(request, 401, renderPasswordPage(wrong), SHARE_CHALLENGE);
  }
  throw new HttpError(401, wrong ? "Wrong password" : "Password required", SHARE_CHALLENGE);
}
