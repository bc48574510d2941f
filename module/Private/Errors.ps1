# Handwritten (module/README.md). Error records: the module's own, the host's error records, and
# host exits that carry no error record.

function New-SupSyncErrorRecord {
    <#
    .SYNOPSIS
    An ErrorRecord with the given id, category and target.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Message,

        [Parameter(Mandatory = $true)]
        [string] $ErrorId,

        [System.Management.Automation.ErrorCategory] $Category = [System.Management.Automation.ErrorCategory]::NotSpecified,

        [object] $Target
    )
    $exception = [System.Exception]::new($Message)
    [System.Management.Automation.ErrorRecord]::new($exception, $ErrorId, $Category, $Target)
}

function ConvertTo-SupSyncPowerShellTerms {
    <#
    .SYNOPSIS
    Host text in PowerShell's words: each --flag of the running cmdlet becomes its -Parameter.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowEmptyString()]
        [string] $Text,

        [hashtable] $ParameterNames
    )
    if (-not $Text -or $null -eq $ParameterNames -or $ParameterNames.Count -eq 0) { return $Text }
    $rename = [System.Text.RegularExpressions.MatchEvaluator] {
        param($match)
        $flag = $match.Groups[1].Value
        if ($ParameterNames.ContainsKey($flag)) { '-' + $ParameterNames[$flag] } else { $match.Value }
    }
    [regex]::Replace($Text, '--([a-z][a-z0-9-]*)', $rename)
}

function Get-SupSyncValue {
    <#
    .SYNOPSIS
    A property of a host record, or $null where the record has none (reading a missing property
    throws under Set-StrictMode -Version Latest).
    #>
    [CmdletBinding()]
    param(
        [AllowNull()]
        [object] $Object,

        [Parameter(Mandatory = $true)]
        [string] $Name
    )
    if ($null -eq $Object) { return $null }
    $property = $Object.PSObject.Properties[$Name]
    if ($null -eq $property) { return $null }
    $property.Value
}

function ConvertTo-SupSyncErrorRecord {
    <#
    .SYNOPSIS
    The ErrorRecord for a SupSync.Error record of the host: its code is the error id, its category
    the ErrorCategory, its target the target; exitCode and data go to Exception.Data.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)]
        [psobject] $Record,

        [hashtable] $ParameterNames
    )
    $id = [string](Get-SupSyncValue -Object $Record -Name 'code')
    if (-not $id) { $id = 'HostError' }
    $message = ConvertTo-SupSyncPowerShellTerms -Text ([string](Get-SupSyncValue -Object $Record -Name 'message')) -ParameterNames $ParameterNames
    if (-not $message) { $message = "supsync failed ($id)" }
    $category = [System.Management.Automation.ErrorCategory]::NotSpecified
    $name = [string](Get-SupSyncValue -Object $Record -Name 'category')
    if ($name -and [System.Enum]::IsDefined([System.Management.Automation.ErrorCategory], $name)) {
        $category = [System.Enum]::Parse([System.Management.Automation.ErrorCategory], $name)
    }
    $target = Get-SupSyncValue -Object $Record -Name 'target'
    if ($target -is [string]) { $target = ConvertTo-SupSyncPowerShellTerms -Text $target -ParameterNames $ParameterNames }
    $errorRecord = New-SupSyncErrorRecord -Message $message -ErrorId $id -Category $category -Target $target
    $errorRecord.Exception.Data['ExitCode'] = Get-SupSyncValue -Object $Record -Name 'exitCode'
    $data = $Record.PSObject.Properties['data']
    if ($null -ne $data -and $null -ne $data.Value) {
        foreach ($property in $data.Value.PSObject.Properties) {
            # Exception.Data takes serializable values only on .NET Framework: nested objects go in as JSON.
            $value = $property.Value
            if ($null -ne $value -and $value -isnot [string] -and $value -isnot [System.ValueType]) {
                $value = ConvertTo-Json -InputObject $value -Compress -Depth 10
            }
            $errorRecord.Exception.Data[$property.Name] = $value
        }
    }
    $errorRecord
}

function New-SupSyncExitErrorRecord {
    <#
    .SYNOPSIS
    The ErrorRecord for a host exit code that came without an error record (a failed sync, a
    partly failed batch): the id and category of $script:SupSyncExitCodes, with the last error
    line the host logged.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)]
        [int] $ExitCode,

        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string] $CommandLine,

        [AllowEmptyString()]
        [string] $Detail
    )
    $known = $script:SupSyncExitCodes[$ExitCode]
    if ($null -eq $known) { $known = @{ Id = 'HostFailed'; Category = 'NotSpecified'; Meaning = 'an unknown failure' } }
    $message = "$CommandLine failed: $($known.Meaning)"
    if ($Detail) { $message = $message + ': ' + $Detail }
    $errorRecord = New-SupSyncErrorRecord -Message $message -ErrorId $known.Id -Category $known.Category -Target $CommandLine
    $errorRecord.Exception.Data['ExitCode'] = $ExitCode
    $errorRecord
}
