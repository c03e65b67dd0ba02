// Kafka's ssl.principal.mapping.rules (KIP-371), reproduced from SslPrincipalMapper's grammar and
// semantics:
//   rules    = rule *("," rule)          whitespace around rules and commas is ignored
//   rule     = "DEFAULT" | "RULE:" pattern "/" replacement "/" ["L" | "U"]
//   pattern, replacement: "\x" escapes a character (so "\/" is a literal slash)
// A RULE applies only if its pattern matches the whole DN; the result is then
// DN.replaceAll(pattern, replacement) (Java semantics, so an empty match at the end is replaced too),
// optionally lower- or upper-cased. The first rule that applies wins; DEFAULT returns the DN unchanged;
// no applicable rule is an error (the SSL handshake's principal cannot be built).
//
// Patterns are Java regular expressions evaluated here with JavaScript's engine: the common subset
// (groups, classes, quantifiers, anchors, lazy quantifiers) behaves the same; a leading "(?i)" is
// honoured as the case-insensitive flag; Java-only syntax (possessive quantifiers, \p{javaX}) is not.
export { x500NameFromCertificate, x500NameFromSubject } from './x500-name.js';

/** Kafka's default: ssl.principal.mapping.rules=DEFAULT. */
export const DEFAULT_SSL_PRINCIPAL_MAPPING_RULES = 'DEFAULT';

export class InvalidMappingRuleError extends Error {
  override readonly name = 'InvalidMappingRuleError';
}

export class NoMatchingRuleError extends Error {
  override readonly name = 'NoMatchingRuleError';
}

const RULE_PATTERN = String.raw`(DEFAULT)|RULE:((\\.|[^\\/])*)/((\\.|[^\\/])*)/([LU]?).*?|(.*?)`;

type Rule =
  | { readonly kind: 'default' }
  | {
      readonly kind: 'rule';
      readonly source: string;
      readonly full: RegExp;
      readonly global: RegExp;
      readonly groupCount: number;
      readonly replacement: string;
      readonly lower: boolean;
      readonly upper: boolean;
    };

/** A Java regex as JavaScript RegExps (also used by security/kerberos for auth_to_local rules). */
export function compileJavaPattern(pattern: string): { full: RegExp; global: RegExp; groupCount: number } {
  let src = pattern;
  let flags = 'u';
  if (src.startsWith('(?i)')) {
    src = src.slice(4);
    flags += 'i';
  }
  try {
    const full = new RegExp(`^(?:${src})$`, flags);
    const global = new RegExp(src, flags + 'g');
    const groupCount = (new RegExp(`${src}|`, flags).exec('') ?? ['']).length - 1;
    return { full, global, groupCount };
  } catch {
    // Retry without the u flag: Java accepts escapes (e.g. "\-" outside classes) that u rejects.
    const f = flags.replace('u', '');
    try {
      return {
        full: new RegExp(`^(?:${src})$`, f),
        global: new RegExp(src, f + 'g'),
        groupCount: (new RegExp(`${src}|`, f).exec('') ?? ['']).length - 1,
      };
    } catch (e) {
      throw new InvalidMappingRuleError(`Invalid pattern ${pattern}: ${(e as Error).message}`);
    }
  }
}

/** Kafka's splitRules: Matcher.find() over RULE_SPLITTER, collecting group 1. */
function splitRules(rules: string): string[] {
  const splitter = new RegExp(String.raw`\s*(${RULE_PATTERN})\s*(,\s*|$)`, 'g');
  const text = rules.trim();
  const out: string[] = [];
  let m: RegExpExecArray | null;
  while ((m = splitter.exec(text)) !== null) {
    out.push(m[1] ?? '');
    if (m[0].length === 0) splitter.lastIndex++;
    if (splitter.lastIndex > text.length) break;
  }
  return out;
}

/** Parse a rules string; throws InvalidMappingRuleError with Kafka's messages. */
export function parsePrincipalMappingRules(rules: string | null | undefined): readonly Rule[] {
  const parser = new RegExp(`^(?:${RULE_PATTERN})`);
  const out: Rule[] = [];
  for (const rule of splitRules(rules ?? DEFAULT_SSL_PRINCIPAL_MAPPING_RULES)) {
    const m = parser.exec(rule);
    if (m === null) throw new InvalidMappingRuleError(`Invalid rule: ${rule}`);
    if (m[0].length !== rule.length)
      throw new InvalidMappingRuleError(
        `Invalid rule: \`${rule}\`, unmatched substring: \`${rule.slice(m[0].length)}\``,
      );
    if (m[1] !== undefined) out.push({ kind: 'default' });
    else if (m[2] !== undefined) {
      const c = compileJavaPattern(m[2]);
      out.push({
        kind: 'rule',
        source: m[2],
        ...c,
        replacement: m[4] ?? '',
        lower: m[6] === 'L',
        upper: m[6] === 'U',
      });
    }
    // Empty rules are ignored.
  }
  return out;
}

/**
 * Kafka's escapeLiteralBackReferences (taken by Kafka from NiFi): "$n" naming a group that does not
 * exist is made literal, after shortening multi-digit references Java-style. Reproduces Kafka's
 * behaviour exactly, including that it indexes the original string while editing a copy.
 */
function escapeLiteralBackReferences(unescaped: string, groupCount: number): string {
  if (groupCount === 0) return unescaped;
  let value = unescaped;
  const re = /\$(\d+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(unescaped)) !== null) {
    const num = m[1] ?? '';
    if (num.startsWith('0')) continue;
    let idx = Number.parseInt(num, 10);
    while (idx > groupCount && idx >= 10) idx = Math.floor(idx / 10);
    if (idx > groupCount) {
      const groupStart = m.index + 1;
      value = value.slice(0, groupStart - 1) + '\\' + value.slice(groupStart - 1);
    }
  }
  return value;
}

/** Java's Matcher.appendReplacement expansion of a replacement string for one match. */
export function javaExpand(
  replacement: string,
  groups: readonly (string | undefined)[],
  named: Record<string, string | undefined> | undefined,
): string {
  const groupCount = groups.length - 1;
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i] as string;
    if (c === '\\') {
      i++;
      if (i >= replacement.length) throw new InvalidMappingRuleError('character to be escaped is missing');
      out += replacement[i];
    } else if (c === '$') {
      i++;
      if (i >= replacement.length)
        throw new InvalidMappingRuleError('Illegal group reference: group index is missing');
      if (replacement[i] === '{') {
        const end = replacement.indexOf('}', i);
        if (end < 0) throw new InvalidMappingRuleError("named capturing group is missing trailing '}'");
        const name = replacement.slice(i + 1, end);
        if (named === undefined || !(name in named))
          throw new InvalidMappingRuleError(`No group with name {${name}}`);
        out += named[name] ?? '';
        i = end;
      } else {
        const d = replacement.charCodeAt(i) - 48;
        if (d < 0 || d > 9) throw new InvalidMappingRuleError('Illegal group reference');
        let ref = d;
        // Java keeps consuming digits while the number still names an existing group.
        while (i + 1 < replacement.length) {
          const nd = replacement.charCodeAt(i + 1) - 48;
          if (nd < 0 || nd > 9) break;
          const next = ref * 10 + nd;
          if (next > groupCount) break;
          ref = next;
          i++;
        }
        if (ref > groupCount) throw new InvalidMappingRuleError(`No group ${ref}`);
        out += groups[ref] ?? '';
      }
    } else out += c;
  }
  return out;
}

function applyRule(rule: Rule, dn: string): string | undefined {
  if (rule.kind === 'default') return dn;
  if (!rule.full.test(dn)) return undefined;
  const replacement = escapeLiteralBackReferences(rule.replacement, rule.groupCount);
  rule.global.lastIndex = 0;
  let result = dn.replace(rule.global, (...args: unknown[]) => {
    const last = args[args.length - 1];
    const hasNamed = typeof last === 'object' && last !== null;
    const named = hasNamed ? (last as Record<string, string | undefined>) : undefined;
    const groups = args.slice(0, rule.groupCount + 1) as (string | undefined)[];
    return javaExpand(replacement, groups, named);
  });
  if (rule.lower) result = result.toLowerCase();
  else if (rule.upper) result = result.toUpperCase();
  return result;
}

/** A compiled ssl.principal.mapping.rules value. */
export class SslPrincipalMapper {
  private readonly rules: readonly Rule[];

  constructor(rules: string | null | undefined = DEFAULT_SSL_PRINCIPAL_MAPPING_RULES) {
    this.rules = parsePrincipalMappingRules(rules);
  }

  /** The principal name for an RFC 2253 DN (as X500Principal.getName() prints it); throws NoMatchingRuleError. */
  getName(distinguishedName: string): string {
    for (const r of this.rules) {
      const name = applyRule(r, distinguishedName);
      if (name !== undefined) return name;
    }
    throw new NoMatchingRuleError(`No rules apply to ${distinguishedName}, rules ${this.toString()}`);
  }

  toString(): string {
    return `[${this.rules
      .map((r) =>
        r.kind === 'default'
          ? 'DEFAULT'
          : `RULE:${r.source}/${r.replacement}${r.lower ? '/L' : r.upper ? '/U' : ''}`,
      )
      .join(', ')}]`;
  }
}

/** Convenience: DN → Kafka principal string ("User:<name>"), as DefaultKafkaPrincipalBuilder does for SSL. */
export function sslPrincipal(mapper: SslPrincipalMapper, distinguishedName: string): string {
  return `User:${mapper.getName(distinguishedName)}`;
}
