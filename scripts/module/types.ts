/**
 * SupSync.Types.ps1xml: the type data of the records, the ScriptProperties PowerShell computes from
 * a record's other properties (src/cli/computed-members.ts, which the host's CliXml leaves out).
 */
import { computedMembers } from '../../src/cli/computed-members.js';

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

export function renderTypes(header: string): string {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>', `<!-- ${header} -->`, '<Types>'];
  for (const [type, members] of Object.entries(computedMembers)) {
    lines.push('  <Type>', `    <Name>${escapeXml(type)}</Name>`, '    <Members>');
    for (const member of members) {
      lines.push('      <ScriptProperty>', `        <Name>${escapeXml(member.name)}</Name>`, `        <GetScriptBlock>${escapeXml(member.script)}</GetScriptBlock>`, '      </ScriptProperty>');
    }
    lines.push('    </Members>', '  </Type>');
  }
  lines.push('</Types>');
  return `${lines.join('\n')}\n`;
}
