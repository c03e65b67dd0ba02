// Turning an RFC 2253-style subject string ("CN=alice,OU=eng,O=acme,C=US", most specific first, as
// Kafka and Java print it) into node-forge attributes in certificate encoding order (least specific
// first), so X500Principal.getName() of the issued certificate prints the same string back.
import type forge from 'node-forge';

const SHORT_NAMES: Readonly<Record<string, string>> = {
  CN: 'commonName',
  C: 'countryName',
  L: 'localityName',
  ST: 'stateOrProvinceName',
  O: 'organizationName',
  OU: 'organizationalUnitName',
  STREET: 'streetAddress',
  DC: 'domainComponent',
  UID: 'userId',
  EMAILADDRESS: 'emailAddress',
  SERIALNUMBER: 'serialNumber',
};

const OIDS: Readonly<Record<string, string>> = {
  domainComponent: '0.9.2342.19200300.100.1.25',
  userId: '0.9.2342.19200300.100.1.1',
  streetAddress: '2.5.4.9',
};

/** Split on unescaped commas; unescape backslash escapes. Multi-valued RDNs ("+") are not supported. */
export function parseDnString(dn: string): { type: string; value: string }[] {
  const rdns: { type: string; value: string }[] = [];
  let cur = '';
  const parts: string[] = [];
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i] as string;
    if (c === '\\' && i + 1 < dn.length) {
      cur += c + dn[i + 1];
      i++;
    } else if (c === ',') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '') parts.push(cur);
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new Error(`invalid DN component "${p}" in "${dn}"`);
    const type = p.slice(0, eq).trim();
    const raw = p.slice(eq + 1).trim();
    const value = raw.replace(/\\(.)/g, '$1');
    rdns.push({ type, value });
  }
  return rdns;
}

/** forge subject attributes (encoding order) from an RFC 2253-order DN string. */
export function subjectAttributes(dn: string): forge.pki.CertificateField[] {
  return parseDnString(dn)
    .reverse()
    .map(({ type, value }) => {
      const name = SHORT_NAMES[type.toUpperCase()];
      if (name === undefined) {
        if (/^\d+(\.\d+)+$/.test(type)) return { type, value };
        throw new Error(`unsupported DN attribute "${type}"`);
      }
      const oid = OIDS[name];
      // Country is a PrintableString; domainComponent an IA5String; the rest UTF8String.
      const valueTagClass =
        name === 'countryName' ? 19 : name === 'domainComponent' || name === 'emailAddress' ? 22 : 12;
      return oid !== undefined
        ? { type: oid, value, valueTagClass: valueTagClass as forge.asn1.Class }
        : { name, value, valueTagClass: valueTagClass as forge.asn1.Class };
    });
}
