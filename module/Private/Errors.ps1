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
        [psobject] $Record
    )
    $id = [string]$Record.code
    if (-not $id) { $id = 'HostError' }
    $message = [string]$Record.message
    if (-not $message) { $message = "supsync failed ($id)" }
    $category = [System.Management.Automation.ErrorCategory]::NotSpecified
    $name = [string]$Record.category
    if ($name -and [System.Enum]::IsDefined([System.Management.Automation.ErrorCategory], $name)) {
        $category = [System.Enum]::Parse([System.Management.Automation.ErrorCategory], $name)
    }
    $errorRecord = New-SupSyncErrorRecord -Message $message -ErrorId $id -Category $category -Target $Record.target
    $errorRecord.Exception.Data['ExitCode'] = $Record.exitCode
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
    $message = "supsync $CommandLine exited with code $ExitCode ($($known.Meaning))"
    if ($Detail) { $message = $message + ': ' + $Detail }
    $errorRecord = New-SupSyncErrorRecord -Message $message -ErrorId $known.Id -Category $known.Category -Target $CommandLine
    $errorRecord.Exception.Data['ExitCode'] = $ExitCode
    $errorRecord
}
