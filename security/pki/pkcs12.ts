// PKCS#12 files Java (17+) reads as keystores and truststores (ssl.keystore.type / ssl.truststore.type
// = PKCS12).
//
// Keystore: node-forge's writer (shrouded key bag, AES-256 PBES2, certificate chain, shared
// localKeyId) gives a PrivateKeyEntry.
//
// Truststore: Java only treats a certificate bag as a *trusted* certificate entry if it carries
// Oracle's bag attribute 2.16.840.1.113894.746875.1.1 (trusted key usage) — without it keytool lists
// nothing and TLS trusts nothing. forge cannot add custom bag attributes, so the truststore PFX is
// assembled here from ASN.1: certificate bags with friendlyName + that attribute (value
// anyExtendedKeyUsage 2.5.29.37.0), unencrypted (certificates are public), and an HMAC-SHA-256 MAC
// keyed by the PKCS#12 KDF so the store password is still checked for integrity.
import { createHmac, randomBytes } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;
const CTX = asn1.Class.CONTEXT_SPECIFIC;
const Ty = asn1.Type;

const OID = {
  data: '1.2.840.113549.1.7.1',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  oracleTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

const seq = (v: forge.asn1.Asn1[]): forge.asn1.Asn1 => asn1.create(U, Ty.SEQUENCE, true, v);
const set = (v: forge.asn1.Asn1[]): forge.asn1.Asn1 => asn1.create(U, Ty.SET, true, v);
const oid = (o: string): forge.asn1.Asn1 => asn1.create(U, Ty.OID, false, asn1.oidToDer(o).getBytes());
const octets = (bytes: string): forge.asn1.Asn1 => asn1.create(U, Ty.OCTETSTRING, false, bytes);
const explicit0 = (v: forge.asn1.Asn1): forge.asn1.Asn1 => asn1.create(CTX, 0, true, [v]);
const der = (v: forge.asn1.Asn1): string => asn1.toDer(v).getBytes();

// forge's DER writer encodes BMPString values as UTF-16BE itself: pass the JS string.
const bmpString = (s: string): forge.asn1.Asn1 => asn1.create(U, Ty.BMPSTRING, false, s);

export interface TrustedCertificate {
  readonly alias: string;
  readonly cert: forge.pki.Certificate;
}

/** A PKCS#12 truststore with each certificate as a Java trusted-certificate entry. */
export function toPkcs12Truststore(entries: readonly TrustedCertificate[], password: string): Buffer {
  if (entries.length === 0) throw new Error('a truststore needs at least one certificate');
  const bags = entries.map(({ alias, cert }) =>
    seq([
      oid(OID.certBag),
      explicit0(seq([oid(OID.x509Certificate), explicit0(octets(der(forge.pki.certificateToAsn1(cert))))])),
      set([
        seq([oid(OID.friendlyName), set([bmpString(alias)])]),
        seq([oid(OID.oracleTrustedKeyUsage), set([oid(OID.anyExtendedKeyUsage)])]),
      ]),
    ]),
  );
  const safeContents = seq(bags);
  const authSafe = seq([seq([oid(OID.data), explicit0(octets(der(safeContents)))])]);
  const authSafeDer = der(authSafe);

  const salt = randomBytes(20);
  const iterations = 10000;
  const macKey = forge.pkcs12.generateKey(
    password,
    forge.util.createBuffer(salt.toString('binary')),
    3,
    iterations,
    32,
    forge.md.sha256.create(),
  );
  const mac = createHmac('sha256', Buffer.from(macKey.getBytes(), 'binary'))
    .update(Buffer.from(authSafeDer, 'binary'))
    .digest();
  const macData = seq([
    seq([seq([oid(OID.sha256), asn1.create(U, Ty.NULL, false, '')]), octets(mac.toString('binary'))]),
    octets(salt.toString('binary')),
    asn1.create(U, Ty.INTEGER, false, asn1.integerToDer(iterations).getBytes()),
  ]);
  const pfx = seq([
    asn1.create(U, Ty.INTEGER, false, asn1.integerToDer(3).getBytes()),
    seq([oid(OID.data), explicit0(octets(authSafeDer))]),
    macData,
  ]);
  return Buffer.from(der(pfx), 'binary');
}

/** A PKCS#12 keystore holding one private key entry (key + chain, leaf first). */
export function toPkcs12Keystore(
  key: forge.pki.rsa.PrivateKey,
  chain: readonly forge.pki.Certificate[],
  password: string,
  alias: string,
): Buffer {
  const p12 = forge.pkcs12.toPkcs12Asn1(key, [...chain], password, {
    algorithm: 'aes256',
    friendlyName: alias,
    generateLocalKeyId: true,
    count: 10000,
  });
  return Buffer.from(der(p12), 'binary');
}
