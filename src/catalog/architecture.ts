/**
 * The architecture a catalog title names. The catalog's search results carry no architecture
 * column, but titles do ("x64-based Systems", "64-Bit Edition", "ARM64-based"), so the
 * `--architecture` filter and the local catalog's details page read it from there.
 */
export type Architecture = 'x86' | 'x64' | 'arm64';
export const architectures: readonly Architecture[] = ['x86', 'x64', 'arm64'];

/** The architectures a title names (none for architecture-neutral updates). */
export function architecturesInTitle(title: string): Architecture[] {
  const named: Architecture[] = [];
  if (/\barm64\b/i.test(title)) named.push('arm64');
  if (/\b(x64|amd64|64-bit)\b/i.test(title)) named.push('x64');
  if (/\b(x86|32-bit)\b/i.test(title)) named.push('x86');
  return named;
}

/** Whether a title fits an architecture; a title naming none fits every architecture. */
export function architectureMatches(title: string, architecture: Architecture): boolean {
  const named = architecturesInTitle(title);
  return named.length === 0 || named.includes(architecture);
}
