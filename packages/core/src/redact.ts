// Secrets (passwords in URLs, bearer tokens, API keys) must never reach logs, events or errors.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:)([^@/\s]+)(@)/gi;
const BEARER = /(bearer\s+)[a-z0-9._~+/=-]+/gi;
const KEY_VALUE = /((?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key|private[_-]?key|authorization)["']?\s*[:=]\s*["']?)([^"'\s,;&}]+)/gi;
const QUERY_SECRET = /([?&](?:password|token|key|secret|access_token|sig)=)([^&\s#]+)/gi;

export function redact(text: string): string {
  return text
    .replace(URL_PASSWORD, '$1***$3')
    .replace(BEARER, '$1***')
    .replace(QUERY_SECRET, '$1***')
    .replace(KEY_VALUE, '$1***');
}

/** A message for an unknown thrown value, redacted. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return redact(error.message);
  return redact(String(error));
}
