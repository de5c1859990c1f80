/**
 * The lab URLs a window is given (`hubkeeper.lab.url`, the Connect command): one URL or several
 * replicas, comma-separated. The token travels with every request, so a URL must be http(s),
 * carry no credentials of its own, and plain http is only for this machine (loopback); http to
 * another host needs the user's explicit "connect anyway" (`cleartextHosts`).
 */

export type LabUrls = { urls: URL[]; cleartextHosts: string[] } | { problem: string };

const MAX_URLS = 16;

export function parseLabUrls(text: string): LabUrls {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return { problem: 'no lab URL' };
  if (parts.length > MAX_URLS) return { problem: `at most ${MAX_URLS} replica URLs` };
  const urls: URL[] = [];
  for (const p of parts) {
    let url: URL;
    try {
      url = new URL(p);
    } catch {
      return { problem: `${JSON.stringify(p.slice(0, 200))} is not a URL` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: `${url.origin}: a lab URL is http:// or https://` };
    if (url.username || url.password)
      return { problem: `${url.protocol}//${url.host}: a lab URL carries no user or password; the token is entered separately` };
    urls.push(new URL(url.origin));
  }
  const cleartextHosts = [...new Set(urls.filter((u) => u.protocol === 'http:' && !isLoopback(u.hostname)).map((u) => u.host))];
  return { urls, cleartextHosts };
}

export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The key a lab's token is kept under in the editor's secret storage: one per lab origin. */
export function labSecretKey(url: URL): string {
  return `hubkeeper.lab.token:${url.origin}`;
}
