// Kafka's sasl.kerberos.principal.to.local.rules, reproduced from KerberosShortNamer, KerberosRule and
// KerberosName (org.apache.kafka.common.security.kerberos, Kafka 4.x, which adds "/U" to Hadoop's
// auth_to_local grammar):
//
//   rule     = "DEFAULT" | "RULE:[" n ":" format "]" ["(" match ")"] ["s/" from "/" to "/" ["g"]] ["/"] ["L" | "U"]
//   format   = text with $0 (realm), $1, $2 … (name components); n = how many components the rule is for
//
// A principal "primary[/instance]@REALM" is split into [REALM, primary, instance?]. DEFAULT applies when
// the realm is the default realm and yields the primary. A RULE applies when the principal has n
// components and the expanded format fully matches `match` (if given); then `from` is replaced by `to`
// (first match, or every match with "g"; Java replacement syntax). The first rule that yields a name
// wins; a result containing "/" or "@" is an error, as is no applicable rule. A name without a realm is
// returned as it is. The `match` and `from` patterns are Java regexes run by JavaScript's engine, with
// the same caveats as ssl.principal.mapping.rules (see ../principal-mapping.ts).
import { compileJavaPattern, javaExpand } from '../principal-mapping.js';

/** A rules list that cannot be parsed (Kafka throws IllegalArgumentException from fromUnparsedRules). */
export class InvalidKerberosRuleError extends Error {
  override readonly name = 'InvalidKerberosRuleError';
}

/** Kafka's NoMatchingRule: no rule applies, or a rule produced a non-simple name. */
export class NoMatchingKerberosRuleError extends Error {
  override readonly name = 'NoMatchingKerberosRuleError';
}

/** Kafka's BadFormatString: a rule's format names a component the principal does not have. */
export class BadKerberosFormatError extends Error {
  override readonly name = 'BadKerberosFormatError';
}

/** Kafka's KerberosName.parse rejecting a name with "@" that is not primary[/instance]@realm. */
export class MalformedKerberosNameError extends Error {
  override readonly name = 'MalformedKerberosNameError';
}

/** Kafka's default: sasl.kerberos.principal.to.local.rules=DEFAULT. */
export const DEFAULT_KERBEROS_RULES: readonly string[] = ['DEFAULT'];

export interface KerberosName {
  readonly serviceName: string;
  readonly hostName?: string;
  readonly realm?: string;
}

const NAME_PARSER = /^([^/@]*)(\/([^/@]*))?@([^/@]*)$/;

/** KerberosName.parse. */
export function parseKerberosName(principal: string): KerberosName {
  const m = NAME_PARSER.exec(principal);
  if (m === null) {
    if (principal.includes('@'))
      throw new MalformedKerberosNameError(`Malformed Kerberos name: ${principal}`);
    return { serviceName: principal };
  }
  return { serviceName: m[1] ?? '', hostName: m[3], realm: m[4] ?? '' };
}

export function formatKerberosName(n: KerberosName): string {
  return `${n.serviceName}${n.hostName !== undefined ? `/${n.hostName}` : ''}${n.realm !== undefined ? `@${n.realm}` : ''}`;
}

interface CompiledPattern {
  readonly source: string;
  readonly full: RegExp;
  readonly first: RegExp;
  readonly global: RegExp;
  readonly groupCount: number;
}

type KerberosRule =
  | { readonly kind: 'default' }
  | {
      readonly kind: 'rule';
      readonly numOfComponents: number;
      readonly format: string;
      readonly match: CompiledPattern | undefined;
      readonly from: CompiledPattern | undefined;
      readonly to: string;
      readonly repeat: boolean;
      readonly lower: boolean;
      readonly upper: boolean;
    };

// KerberosShortNamer.RULE_PARSER, used with lookingAt(): a prefix match.
const RULE_PARSER =
  /^((DEFAULT)|((RULE:\[(\d*):([^\]]*)\](\(([^)]*)\))?(s\/([^/]*)\/([^/]*)\/(g)?)?\/?(L|U)?)))/;

/** Java's Integer.parseInt for a string of ASCII digits, with its NumberFormatException message. */
function javaParseInt(digits: string): number {
  const value = Number.parseInt(digits, 10);
  if (digits === '' || value > 2147483647)
    throw new InvalidKerberosRuleError(`For input string: "${digits}"`);
  return value;
}

function compile(source: string): CompiledPattern {
  try {
    const c = compileJavaPattern(source);
    return { source, ...c, first: new RegExp(c.global.source, c.global.flags.replace('g', '')) };
  } catch (e) {
    throw new InvalidKerberosRuleError((e as Error).message);
  }
}

function parseRule(rule: string): KerberosRule {
  const m = RULE_PARSER.exec(rule);
  if (m === null) throw new InvalidKerberosRuleError(`Invalid rule: ${rule}`);
  if (m[0].length !== rule.length)
    throw new InvalidKerberosRuleError(
      `Invalid rule: \`${rule}\`, unmatched substring: \`${rule.slice(m[0].length)}\``,
    );
  if (m[2] !== undefined) return { kind: 'default' };
  return {
    kind: 'rule',
    numOfComponents: javaParseInt(m[5] ?? ''),
    format: m[6] ?? '',
    match: m[8] === undefined ? undefined : compile(m[8]),
    from: m[10] === undefined ? undefined : compile(m[10]),
    to: m[11] ?? '',
    repeat: m[12] === 'g',
    lower: m[13] === 'L',
    upper: m[13] === 'U',
  };
}

function ruleToString(r: KerberosRule): string {
  if (r.kind === 'default') return 'DEFAULT';
  let s = `RULE:[${r.numOfComponents}:${r.format}]`;
  if (r.match !== undefined) s += `(${r.match.source})`;
  if (r.from !== undefined) s += `s/${r.from.source}/${r.to}/${r.repeat ? 'g' : ''}`;
  if (r.lower) s += '/L';
  else if (r.upper) s += '/U';
  return s;
}

/** KerberosRule.replaceParameters: $n in the format is replaced by params[n]. */
function replaceParameters(format: string, params: readonly string[]): string {
  const parameter = /([^$]*)(\$(\d*))?/y;
  let start = 0;
  let result = '';
  while (start < format.length) {
    parameter.lastIndex = start;
    const m = parameter.exec(format) as RegExpExecArray; // matches at every position (possibly empty)
    result += m[1] ?? '';
    const paramNum = m[3];
    if (paramNum !== undefined) {
      const num = Number.parseInt(paramNum, 10);
      if (paramNum === '' || num > 2147483647)
        throw new BadKerberosFormatError(`bad format in username mapping in ${paramNum}`);
      if (num >= params.length)
        throw new BadKerberosFormatError(
          `index ${num} from ${format} is outside of the valid range 0 to ${params.length - 1}`,
        );
      result += params[num];
    }
    start = parameter.lastIndex;
  }
  return result;
}

/** Matcher.replaceFirst / replaceAll with Java's replacement syntax. */
function replaceSubstitution(base: string, from: CompiledPattern, to: string, repeat: boolean): string {
  const re = repeat ? from.global : from.first;
  re.lastIndex = 0;
  return base.replace(re, (...args: unknown[]) => {
    const last = args[args.length - 1];
    const named = typeof last === 'object' && last !== null ? (last as Record<string, string>) : undefined;
    return javaExpand(to, args.slice(0, from.groupCount + 1) as (string | undefined)[], named);
  });
}

function applyRule(rule: KerberosRule, params: readonly string[], defaultRealm: string): string | undefined {
  let result: string | undefined;
  if (rule.kind === 'default') {
    if (defaultRealm === params[0]) result = params[1];
  } else if (params.length - 1 === rule.numOfComponents) {
    const base = replaceParameters(rule.format, params);
    if (rule.match === undefined || rule.match.full.test(base)) {
      result = rule.from === undefined ? base : replaceSubstitution(base, rule.from, rule.to, rule.repeat);
    }
  }
  if (result !== undefined && /[/@]/.test(result))
    throw new NoMatchingKerberosRuleError(
      `Non-simple name ${result} after auth_to_local rule ${ruleToString(rule)}`,
    );
  if (result === undefined || rule.kind === 'default') return result;
  // Locale.ENGLISH case mapping: JavaScript's locale-independent mapping gives the same result.
  return rule.lower ? result.toLowerCase() : rule.upper ? result.toUpperCase() : result;
}

/** A compiled sasl.kerberos.principal.to.local.rules list (KerberosShortNamer.fromUnparsedRules). */
export class KerberosShortNamer {
  private readonly rules: readonly KerberosRule[];

  /**
   * @param defaultRealm the realm DEFAULT accepts: Kafka takes krb5.conf's default_realm.
   * @param rules one rule per element, as Kafka's list-typed config splits them; null means DEFAULT.
   * @throws InvalidKerberosRuleError
   */
  constructor(
    private readonly defaultRealm: string,
    rules: readonly string[] | null = DEFAULT_KERBEROS_RULES,
  ) {
    this.rules = (rules ?? DEFAULT_KERBEROS_RULES).map(parseRule);
  }

  /** The short name for a full principal such as "alice/admin@EXAMPLE.COM". */
  shortName(principal: string): string {
    const name = parseKerberosName(principal);
    // parseKerberosName gives a realm whenever it gives an instance.
    if (name.realm === undefined) return name.serviceName;
    const realm = name.realm;
    const params =
      name.hostName === undefined ? [realm, name.serviceName] : [realm, name.serviceName, name.hostName];
    for (const rule of this.rules) {
      const result = applyRule(rule, params, this.defaultRealm);
      if (result !== undefined) return result;
    }
    throw new NoMatchingKerberosRuleError(
      `No rules apply to ${formatKerberosName(name)}, rules ${this.toString()}`,
    );
  }

  /** Java's List.toString of the rules, as Kafka prints them in errors. */
  toString(): string {
    return `[${this.rules.map(ruleToString).join(', ')}]`;
  }
}
