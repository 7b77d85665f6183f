/**
 * The metric names a PromQL expression reads. A small lexer, not a parser: enough for the queries
 * our dashboards use (selectors, aggregations with by/without, binary operators, functions).
 */
const keywords = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
  'start',
  'end',
]);

export function metricNamesInExpr(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ');
  const names = new Set<string>();
  const token = /(\d[\w.]*)|([A-Za-z_:][\w:]*)(\s*\()?/g;
  for (const match of stripped.matchAll(token)) {
    const [, number, identifier, call] = match;
    if (number !== undefined || identifier === undefined || call !== undefined) continue;
    if (keywords.has(identifier.toLowerCase())) continue;
    names.add(identifier);
  }
  return [...names].sort();
}
