// The image's HEALTHCHECK: GET $KGW_HEALTH_URL (a product's /readyz) and exit 0 on a 2xx answer,
// 1 otherwise or after 4 s. Node's fetch, so the image needs no curl or shell.
const url = process.env.KGW_HEALTH_URL ?? 'http://127.0.0.1:9404/readyz';
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exitCode = res.ok ? 0 : 1;
  if (!res.ok) console.error(`${url}: HTTP ${res.status}`);
} catch (err) {
  console.error(`${url}: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
