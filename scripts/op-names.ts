/** How a Python op name becomes its TS name (shared by scripts/gen-ops.ts and the coverage test). */

/** snake_case -> camelCase, keeping leading and trailing underscores ('floor_divide' -> 'floorDivide', 'add_' -> 'add_', 'atleast_1d' -> 'atleast1d'). */
export function camel(s: string): string {
  const lead = /^_*/.exec(s)![0];
  const trail = /_*$/.exec(s.slice(lead.length))![0];
  const core = s.slice(lead.length, s.length - trail.length);
  const parts = core.split('_').filter((p) => p !== '');
  const body = parts.map((p, i) => (i === 0 ? p : p[0].toUpperCase() + p.slice(1))).join('');
  return lead + body + trail;
}
