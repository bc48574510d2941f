/** PowerShell syntax and naming rules the module generator writes and checks against. */

/**
 * A single-quoted PowerShell string literal. PowerShell also ends single-quoted strings at the
 * typographic single quotes, so those are doubled like `'`.
 */
export function psQuote(text: string): string {
  return `'${text.replace(/['\u2018\u2019\u201A\u201B]/g, (quote) => quote + quote)}'`;
}

/** `@('a', 'b')`. */
export function psArray(items: readonly string[]): string {
  return `@(${items.map(psQuote).join(', ')})`;
}

/** Get-Verb's list as Windows PowerShell 5.1 has it (Import-Module warns about any other verb). */
export const approvedVerbs: ReadonlySet<string> = new Set([
  // Common
  'Add', 'Clear', 'Close', 'Copy', 'Enter', 'Exit', 'Find', 'Format', 'Get', 'Hide', 'Join', 'Lock', 'Move', 'New', 'Open', 'Optimize',
  'Pop', 'Push', 'Redo', 'Remove', 'Rename', 'Reset', 'Resize', 'Search', 'Select', 'Set', 'Show', 'Skip', 'Split', 'Step', 'Switch',
  'Undo', 'Unlock', 'Watch',
  // Communications
  'Connect', 'Disconnect', 'Read', 'Receive', 'Send', 'Write',
  // Data
  'Backup', 'Checkpoint', 'Compare', 'Compress', 'Convert', 'ConvertFrom', 'ConvertTo', 'Dismount', 'Edit', 'Expand', 'Export', 'Group',
  'Import', 'Initialize', 'Limit', 'Merge', 'Mount', 'Out', 'Publish', 'Restore', 'Save', 'Sync', 'Unpublish', 'Update',
  // Diagnostic
  'Debug', 'Measure', 'Repair', 'Resolve', 'Test', 'Trace',
  // Lifecycle
  'Approve', 'Assert', 'Complete', 'Confirm', 'Deny', 'Disable', 'Enable', 'Install', 'Invoke', 'Register', 'Request', 'Restart',
  'Resume', 'Start', 'Stop', 'Submit', 'Suspend', 'Uninstall', 'Unregister', 'Wait',
  // Security
  'Block', 'Grant', 'Protect', 'Revoke', 'Unblock', 'Unprotect',
  // Other
  'Use',
]);

/**
 * Common parameters and their aliases (lower-case): a spec parameter may not take these names,
 * PowerShell adds them to every advanced function (WhatIf/Confirm with SupportsShouldProcess).
 */
export const reservedParameterNames: ReadonlySet<string> = new Set([
  'verbose', 'vb', 'debug', 'db', 'erroraction', 'ea', 'warningaction', 'wa', 'informationaction', 'infa', 'progressaction', 'proga',
  'errorvariable', 'ev', 'warningvariable', 'wv', 'informationvariable', 'iv', 'outvariable', 'ov', 'outbuffer', 'ob',
  'pipelinevariable', 'pv', 'whatif', 'wi', 'confirm', 'cf',
]);

/** A PowerShell identifier the generator can write bare (parameter, function and noun names). */
export const isPsIdentifier = (name: string): boolean => /^[A-Za-z][A-Za-z0-9_]*$/.test(name);
