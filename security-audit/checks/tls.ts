/**
 * TLS: the listener must speak it, refuse SSL 3.0 / TLS 1.0 / TLS 1.1, refuse weak cipher suites,
 * and present a certificate that verifies for the name clients use, is within its validity and has
 * a strong key and signature. Versions and suites are probed with hand-built ClientHellos
 * (tls-hello.ts), so what Node's own OpenSSL could offer does not limit what is tested.
 */
import { budgetOf } from '../budget.js';
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { probeTls } from '../discovery.js';
import { sendClientHello } from '../net.js';
import {
  LEGACY_VERSION_SUITES,
  RECOMMENDED_TLS_CIPHERS,
  TLS_VERSIONS,
  WEAK_SUITE_CLASSES,
  alertName,
  suiteName,
  versionName,
  type LegacyVersionName,
} from '../tls-hello.js';
import { fail, pass, warn, type Check } from '../types.js';

const sni = (ctx: Parameters<Check['run']>[0]): string | undefined => ctx.opts.serverName ?? ctx.address.host;

const describeRefusal = (a: Awaited<ReturnType<typeof sendClientHello>>): string =>
  a.kind === 'alert' ? alertName(a.description) : a.kind === 'timeout' ? 'no answer' : a.kind;

export const tlsRequired: Check = {
  id: 'tls.required',
  family: 'tls',
  title: 'The listener speaks TLS',
  requires: [],
  timeoutMs: 1_000,
  budget: budgetOf(0, 0),
  run: async (ctx) =>
    ctx.profile.tls
      ? pass(
          `TLS handshake completed (${ctx.profile.trusted ? 'certificate verifies' : 'certificate does not verify'})`,
        )
      : fail(
          'the listener speaks plaintext Kafka: credentials and records cross the network unencrypted',
          'Terminate TLS on this listener (kgw gateway: listeners[].tls; Kafka: an SSL or SASL_SSL listener).',
        ),
};

export const tlsLegacyVersions: Check = {
  id: 'tls.legacy-versions',
  family: 'tls',
  title: 'SSL 3.0, TLS 1.0 and TLS 1.1 are refused',
  requires: ['tls'],
  timeoutMs: 15_000,
  budget: budgetOf(4, 0),
  async run(ctx) {
    const accepted: string[] = [];
    const details: string[] = [];
    for (const name of ['SSLv3', 'TLSv1', 'TLSv1.1'] as LegacyVersionName[]) {
      ctx.meter.chargeConnection();
      const a = await sendClientHello(
        ctx.address,
        { version: TLS_VERSIONS[name], suites: LEGACY_VERSION_SUITES, serverName: sni(ctx) },
        ctx.requestTimeoutMs,
      );
      if (a.kind === 'server-hello' && a.version <= TLS_VERSIONS[name]) {
        accepted.push(name);
        details.push(`${name}: accepted (${versionName(a.version)}, ${suiteName(a.suite)})`);
      } else details.push(`${name}: refused (${describeRefusal(a)})`);
    }
    ctx.meter.chargeConnection();
    const modern = await probeTls(ctx.address, ctx.tls(false)!, ctx.requestTimeoutMs);
    details.push(`highest version negotiated by Node: ${modern.protocol ?? 'none'}`);
    if (accepted.length > 0)
      return fail(
        `the listener accepts ${accepted.join(', ')}`,
        'Allow TLS 1.2 and 1.3 only (kgw gateway: listeners[].tls.minVersion, TLSv1.2 by default; Kafka: ssl.enabled.protocols=TLSv1.3,TLSv1.2).',
        details,
      );
    return pass('only TLS 1.2 and newer are accepted', details);
  },
};

export const tlsCiphers: Check = {
  id: 'tls.ciphers',
  family: 'tls',
  title: 'No weak or non-forward-secret cipher suites',
  requires: ['tls'],
  timeoutMs: 20_000,
  budget: budgetOf(WEAK_SUITE_CLASSES.length, 0),
  async run(ctx) {
    const accepted: string[] = [];
    const details: string[] = [];
    for (const c of WEAK_SUITE_CLASSES) {
      ctx.meter.chargeConnection();
      const a = await sendClientHello(
        ctx.address,
        { version: TLS_VERSIONS['TLSv1.2'], suites: c.suites, serverName: sni(ctx) },
        ctx.requestTimeoutMs,
      );
      if (a.kind === 'server-hello' && c.suites.includes(a.suite)) {
        accepted.push(`${c.name} (${suiteName(a.suite)}: ${c.why})`);
        details.push(`${c.name}: accepted ${suiteName(a.suite)}`);
      } else details.push(`${c.name}: refused (${describeRefusal(a)})`);
    }
    if (accepted.length > 0)
      return fail(
        `the listener accepts ${accepted.join('; ')}`,
        `Restrict TLS 1.2 to ECDHE suites with AEAD ciphers (kgw gateway: listeners[].tls.ciphers: "${RECOMMENDED_TLS_CIPHERS}"; Kafka: ssl.cipher.suites).`,
        details,
      );
    return pass(`refused every weak class (${WEAK_SUITE_CLASSES.map((c) => c.name).join(', ')})`, details);
  },
};

/** OIDs of signature algorithms no CA should use any more. */
const WEAK_SIGNATURES = new Map([
  ['1.2.840.113549.1.1.4', 'md5WithRSAEncryption'],
  ['1.2.840.113549.1.1.5', 'sha1WithRSAEncryption'],
  ['1.2.840.10045.4.1', 'ecdsa-with-SHA1'],
  ['1.2.840.10040.4.3', 'dsa-with-sha1'],
]);

/** The certificate's signatureAlgorithm (the second element of the outer SEQUENCE, RFC 5280 §4.1.1.2). */
function signatureOid(der: Buffer): string | undefined {
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
    const algorithm = (asn1.value as forge.asn1.Asn1[])[1]?.value as forge.asn1.Asn1[] | undefined;
    const oid = algorithm?.[0]?.value;
    return typeof oid === 'string' ? forge.asn1.derToOid(oid) : undefined;
  } catch {
    return undefined;
  }
}

const DAY = 24 * 3600 * 1000;

export const tlsCertificate: Check = {
  id: 'tls.certificate',
  family: 'tls',
  title: 'Certificate verifies, names the host, is valid and strong',
  requires: ['tls'],
  timeoutMs: 10_000,
  budget: budgetOf(1, 0),
  async run(ctx) {
    ctx.meter.chargeConnection();
    const probe = await probeTls(ctx.address, ctx.tls(true)!, ctx.requestTimeoutMs);
    if (!probe.ok || !probe.certificate?.raw)
      return fail(`no certificate: ${probe.error}`, 'Configure a server certificate.');
    const cert = new X509Certificate(probe.certificate.raw);
    const problems: string[] = [];
    const warnings: string[] = [];
    const details = [
      `subject ${cert.subject.replace(/\n/g, ', ')}`,
      `issuer ${cert.issuer.replace(/\n/g, ', ')}`,
    ];
    details.push(
      `valid ${cert.validFrom} – ${cert.validTo}`,
      `names ${cert.subjectAltName ?? '(no subjectAltName)'}`,
    );
    if (!probe.authorized) problems.push(`does not verify: ${probe.authorizationError}`);
    const now = Date.now();
    const notAfter = Date.parse(cert.validTo);
    if (Date.parse(cert.validFrom) > now) problems.push(`not valid before ${cert.validFrom}`);
    if (notAfter < now) problems.push(`expired ${cert.validTo}`);
    else if (notAfter - now < 30 * DAY)
      warnings.push(`expires in ${Math.floor((notAfter - now) / DAY)} days`);
    const key = cert.publicKey;
    const type = key.asymmetricKeyType;
    const bits = key.asymmetricKeyDetails?.modulusLength;
    details.push(
      `key ${type}${bits ? ` ${bits} bits` : ''}${key.asymmetricKeyDetails?.namedCurve ? ` ${key.asymmetricKeyDetails.namedCurve}` : ''}`,
    );
    if ((type === 'rsa' || type === 'rsa-pss' || type === 'dsa') && bits !== undefined && bits < 2048)
      problems.push(`${type} key of ${bits} bits (at least 2048 needed)`);
    const oid = signatureOid(probe.certificate.raw);
    details.push(`signature ${oid ? (WEAK_SIGNATURES.get(oid) ?? oid) : 'unknown'}`);
    if (oid && WEAK_SIGNATURES.has(oid)) problems.push(`signed with ${WEAK_SIGNATURES.get(oid)}`);
    const remedy =
      "Serve a certificate from a CA your clients trust, with the listener's host name in subjectAltName, " +
      'an RSA key of ≥ 2048 bits or an EC key, signed with SHA-256 or better, renewed before it expires ' +
      '(kgw gateway: listeners[].tls.cert/key, re-read when the files change). Give --ca-file for a private CA.';
    if (problems.length > 0) return fail(problems.join('; '), remedy, details);
    if (warnings.length > 0) return warn(warnings.join('; '), remedy, details);
    return pass('verifies for the host name, valid, strong key and signature', details);
  },
};
