// The subject DN as Kafka sees it: Java's X500Principal.getName() (RFC 2253 form). Kafka's SSL
// principal builder feeds exactly this string to ssl.principal.mapping.rules, so ACLs and mapping
// rules written for a real broker only work if the gateway produces the same string:
//   - RDNs most specific first (reverse of the certificate's encoding order), joined by ",";
//   - multi-valued RDNs joined by "+" in encoded order;
//   - keywords only for CN, C, L, ST, O, OU, STREET, DC, UID; any other attribute is printed as its
//     dotted OID with "#" + hex of the value's DER encoding (e.g. emailAddress);
//   - values escape , = + < > # ; " \ with a backslash, and leading/trailing spaces.
// Verified against Java 17's X500Principal on this project's test certificates.
import forge from 'node-forge';

const RFC2253_KEYWORDS: ReadonlyMap<string, string> = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.6', 'C'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.9', 'STREET'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
]);

const T = forge.asn1.Type;
// Java's AVA treats these as strings (isDerString): printed as text, not hex.
const STRING_TAGS: ReadonlySet<number> = new Set([
  T.PRINTABLESTRING,
  20 /* T61String */,
  T.IA5STRING,
  T.BMPSTRING,
  T.UTF8,
  27,
]);

const ESCAPEES = ',=+<>#;"\\';

// Java decodes the value bytes as UTF-8 whatever the string tag (even BMPString: its NUL bytes then
// print as \00), so the same is done here to produce the same string.
function decodeValue(node: forge.asn1.Asn1): string {
  return Buffer.from(node.value as string, 'binary').toString('utf8');
}

function escapeValue(val: string): string {
  let s = '';
  for (const c of val) {
    if (ESCAPEES.includes(c)) s += '\\' + c;
    else if (c === '\u0000') s += '\\00';
    else s += c;
  }
  // Escape leading and trailing whitespace (space or CR), as Java does.
  const chars = [...s];
  let lead = 0;
  while (lead < chars.length && (chars[lead] === ' ' || chars[lead] === '\r')) lead++;
  let trail = chars.length - 1;
  while (trail >= 0 && (chars[trail] === ' ' || chars[trail] === '\r')) trail--;
  return chars.map((c, i) => (i < lead || i > trail ? '\\' + c : c)).join('');
}

function avaToRfc2253(ava: forge.asn1.Asn1): string {
  const parts = ava.value as forge.asn1.Asn1[];
  const oidNode = parts[0];
  const valueNode = parts[1];
  if (oidNode === undefined || valueNode === undefined) throw new Error('malformed AttributeTypeAndValue');
  const oid = forge.asn1.derToOid(oidNode.value as string);
  const keyword = RFC2253_KEYWORDS.get(oid);
  if (
    keyword === undefined ||
    valueNode.constructed ||
    !STRING_TAGS.has(valueNode.type) ||
    valueNode.tagClass !== forge.asn1.Class.UNIVERSAL
  ) {
    const der = Buffer.from(forge.asn1.toDer(valueNode).getBytes(), 'binary');
    return `${keyword ?? oid}=#${der.toString('hex')}`;
  }
  return `${keyword}=${escapeValue(decodeValue(valueNode))}`;
}

/** RFC 2253 string of a DER-decoded Name (SEQUENCE OF RelativeDistinguishedName). */
export function x500NameFromAsn1(name: forge.asn1.Asn1): string {
  const rdns = name.value as forge.asn1.Asn1[];
  return rdns
    .map((rdn) => (rdn.value as forge.asn1.Asn1[]).map(avaToRfc2253).join('+'))
    .reverse()
    .join(',');
}

/**
 * The subject of a DER certificate (e.g. tls `getPeerCertificate().raw` or `X509Certificate.raw`) as
 * X500Principal.getName() prints it. This is the exact form; prefer it to x500NameFromSubject.
 */
export function x500NameFromCertificate(der: Uint8Array): string {
  const cert = forge.asn1.fromDer(Buffer.from(der).toString('binary'));
  const tbs = (cert.value as forge.asn1.Asn1[])[0];
  if (tbs === undefined) throw new Error('malformed certificate');
  const fields = tbs.value as forge.asn1.Asn1[];
  // [0] EXPLICIT version is optional: subject is the 6th field with it, the 5th without.
  const hasVersion = fields[0]?.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC;
  const subject = fields[hasVersion ? 5 : 4];
  if (subject === undefined) throw new Error('malformed certificate: no subject');
  return x500NameFromAsn1(subject);
}

/** Node's short names for attributes (tls getPeerCertificate().subject keys) → OIDs. */
const NODE_SHORT_NAMES: ReadonlyMap<string, string> = new Map([
  ['CN', '2.5.4.3'],
  ['C', '2.5.4.6'],
  ['L', '2.5.4.7'],
  ['ST', '2.5.4.8'],
  ['O', '2.5.4.10'],
  ['OU', '2.5.4.11'],
  ['street', '2.5.4.9'],
  ['DC', '0.9.2342.19200300.100.1.25'],
  ['UID', '0.9.2342.19200300.100.1.1'],
]);

/**
 * Best effort from Node's parsed subject object ({ C: 'US', O: 'acme', CN: 'alice' }, arrays for
 * repeated attributes). Node keeps the certificate's order in the object, which is reversed here.
 * It cannot know value encodings nor multi-valued RDNs, and attributes outside the RFC 2253 keyword
 * set (e.g. emailAddress) are printed by Java as hex DER, which is reconstructed here assuming
 * IA5String for emailAddress and UTF8String otherwise. Use x500NameFromCertificate when `raw` is
 * available.
 */
export function x500NameFromSubject(
  subject: Readonly<Record<string, string | readonly string[] | undefined>>,
): string {
  const parts: string[] = [];
  for (const [key, v] of Object.entries(subject)) {
    if (v === undefined) continue;
    const values = typeof v === 'string' ? [v] : v;
    for (const value of values) {
      const oid = NODE_SHORT_NAMES.get(key);
      const keyword = oid !== undefined ? RFC2253_KEYWORDS.get(oid) : undefined;
      if (keyword !== undefined) parts.push(`${keyword}=${escapeValue(value)}`);
      else {
        const otherOid = key === 'emailAddress' ? '1.2.840.113549.1.9.1' : (forge.pki.oids[key] ?? key);
        const tag = key === 'emailAddress' ? T.IA5STRING : T.UTF8;
        const der = forge.asn1.toDer(
          forge.asn1.create(
            forge.asn1.Class.UNIVERSAL,
            tag,
            false,
            Buffer.from(value, 'utf8').toString('binary'),
          ),
        );
        parts.push(`${otherOid}=#${Buffer.from(der.getBytes(), 'binary').toString('hex')}`);
      }
    }
  }
  return parts.reverse().join(',');
}
