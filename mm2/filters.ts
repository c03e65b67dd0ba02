/**
 * MM2's filters: topic / group include-exclude lists and the topic-config property filter. A list is a
 * comma-separated set of regular expressions, each matched against the whole name (Java's
 * Pattern.matches), as MirrorUtils.compilePatternList builds them.
 */

export class PatternList {
  private constructor(
    readonly source: string,
    private readonly regex: RegExp | undefined,
  ) {}

  static parse(list: string): PatternList {
    const parts = list
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (parts.length === 0) return new PatternList(list, undefined);
    for (const p of parts) new RegExp(p); // throws with the offending pattern's message
    return new PatternList(list, new RegExp(`^(?:${parts.map((p) => `(?:${p})`).join('|')})$`));
  }

  matches(name: string): boolean {
    return this.regex !== undefined && this.regex.test(name);
  }
}

/** DefaultTopicFilter / DefaultGroupFilter: included and not excluded. */
export function includedAndNotExcluded(include: PatternList, exclude: PatternList, name: string): boolean {
  return include.matches(name) && !exclude.matches(name);
}
