/**
 * Properties of a record that PowerShell computes from the record's other properties: the
 * ConfigMgr names that restate SupSync's own (SMS_SoftwareUpdate's IsSuperseded is "SupersededBy
 * is not empty"). The PowerShell module declares each as a ScriptProperty of the record's type
 * (SupSync.Types.ps1xml, generated from this list by scripts/module/types.ts), so the CliXml the
 * host writes for the module (`--output clixml`, cli/output.ts) leaves them out: every object
 * then costs PowerShell's deserializer fewer properties and the module reads faster. JSON and the
 * tables still carry them as fields.
 *
 * Each script is PowerShell over `$this`, Windows PowerShell 5.1 syntax, safe under
 * `Set-StrictMode -Version Latest`, and computes what the command's handler writes as the field
 * (test/module.test.ts compares the two record by record). Type-data members come after an
 * object's own properties, so only a record's last fields can be listed here: `Select-Object *`,
 * `Export-Csv` and `Format-List` show them in the order they had as fields.
 */
export interface ComputedMember {
  name: string;
  /** The getter's PowerShell text; `$this` is the record. */
  script: string;
}

export const computedMembers: Readonly<Record<string, readonly ComputedMember[]>> = {
  // The last fields of cli/commands/updates.ts's SupSync.Update, in their order.
  'SupSync.Update': [
    { name: 'IsSuperseded', script: '@($this.SupersededBy).Count -gt 0' },
    {
      // SMS_SoftwareUpdate.Severity: ConfigMgr's numbers for the MSRC severities, as an Int64 like the host's numbers.
      name: 'Severity',
      script: "switch ([string]$this.MsrcSeverity) { 'Low' { [long]2 } 'Moderate' { [long]6 } 'Important' { [long]8 } 'Critical' { [long]10 } default { [long]0 } }",
    },
    { name: 'SeverityName', script: "if ($null -eq $this.MsrcSeverity) { 'None' } else { [string]$this.MsrcSeverity }" },
    {
      // The products, then the classification: an ArrayList like the record's other lists.
      name: 'LocalizedCategoryInstanceNames',
      script:
        '$names = [System.Collections.ArrayList]::new(); foreach ($product in @($this.Products)) { [void]$names.Add($product) }; if ($this.Classification) { [void]$names.Add([string]$this.Classification) }; , $names',
    },
  ],
};

/** The names a record of `type` leaves out of its CliXml, or undefined when it leaves out none. */
export function computedMemberNames(type: string): ReadonlySet<string> | undefined {
  return computedNames.get(type);
}

const computedNames = new Map(Object.entries(computedMembers).map(([type, members]) => [type, new Set(members.map((m) => m.name))]));
