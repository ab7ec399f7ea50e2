// Where a URL points, for comparing ports and telling local servers from remote ones.

/** host and port of a URL, with loopback spellings folded together; undefined when it does not parse. */
export function endpointOf(raw: string): { host: string; port: number; explicit: boolean; local: boolean } | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  const h = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const local = h === 'localhost' || h === '::1' || h === '0.0.0.0' || /^127\./.test(h);
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { host: local ? 'loopback' : h, port, explicit: url.port !== '', local };
}
