/** PowerShell-style wildcard patterns (`*`, `?`) as ConfigMgr's -Name parameters take them. */

/** A case-insensitive whole-text matcher; text without wildcards matches itself (any case). */
export function wildcardMatcher(pattern: string): (text: string | null | undefined) => boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`, 'is');
  return (text) => text !== null && text !== undefined && regex.test(text);
}

export const hasWildcard = (pattern: string): boolean => /[*?]/.test(pattern);
