# Handwritten (module/README.md). The behaviour behind every generated function: its
# $supsyncCommand table (host words, ShouldProcess wording, batching, parameter bindings; see
# scripts/module/functions.ts) and $PSBoundParameters become one host call per pipeline item, or
# one per batch of gathered pipeline values.

function Resolve-SupSyncChoice {
    <#
    .SYNOPSIS
    The host's spelling of a value that ValidateSet accepted in any case.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [hashtable] $Binding,

        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string] $Value
    )
    if ($Binding.ContainsKey('Choices')) {
        foreach ($choice in $Binding['Choices']) {
            if ($choice -eq $Value) { return $choice }
        }
    }
    $Value
}

function ConvertTo-SupSyncScheduleArgument {
    <#
    .SYNOPSIS
    A -Schedule value as host arguments: a schedule object (New-CMSoftwareUpdateSyncSchedule's
    output) or a schedule string becomes --<flag>=<ScheduleString>, $null the binding's NullFlag.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [string] $Name,

        [Parameter(Mandatory = $true)]
        [hashtable] $Binding,

        [object] $Value
    )
    if ($null -eq $Value) { return '--' + $Binding.NullFlag }
    if ($Value -is [string]) { return '--' + $Binding.Flag + '=' + $Value }
    $property = $Value.PSObject.Properties['ScheduleString']
    if ($Value -isnot [array] -and $null -ne $property) { return '--' + $Binding.Flag + '=' + [string]$property.Value }
    $Cmdlet.ThrowTerminatingError((New-SupSyncErrorRecord -Message "-$Name takes one schedule (New-CMSoftwareUpdateSyncSchedule's output), a schedule string, or `$null to turn scheduled synchronization off." -ErrorId 'ScheduleInvalid' -Category InvalidArgument -Target $Value))
}

function ConvertTo-SupSyncArgument {
    <#
    .SYNOPSIS
    The host arguments for the bound parameters of a generated function, in the order of its
    binding table.
    .DESCRIPTION
    Values travel as --flag=value, so a value that starts with a dash stays a value. A switch
    becomes --flag when present (-Switch:$false sends nothing); a [bool] --flag=true or
    --flag=false; a number its invariant-culture text; a string[] one --flag=value per item; a
    path is resolved against the current PowerShell location (PSDrives, ~); a SecureString is
    decrypted (the argument list travels in the host's environment, not on its command line); a
    ValidateSet value takes the host's spelling.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [hashtable] $Command,

        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary] $BoundParameters,

        [string[]] $Exclude = @()
    )
    foreach ($name in $Command.Parameters.Keys) {
        if ($Exclude -contains $name -or -not $BoundParameters.ContainsKey($name)) { continue }
        $binding = $Command.Parameters[$name]
        $flag = '--' + $binding.Flag
        $value = $BoundParameters[$name]
        switch ($binding.Type) {
            'switch' { if ($value) { $flag } }
            'boolean' { if ($value) { $flag + '=true' } else { $flag + '=false' } }
            'number' { $flag + '=' + ([long]$value).ToString([System.Globalization.CultureInfo]::InvariantCulture) }
            'string' { $flag + '=' + (Resolve-SupSyncChoice -Binding $binding -Value ([string]$value)) }
            'string[]' { foreach ($item in $value) { $flag + '=' + (Resolve-SupSyncChoice -Binding $binding -Value ([string]$item)) } }
            'path' { $flag + '=' + $Cmdlet.GetUnresolvedProviderPathFromPSPath([string]$value) }
            'secret' { $flag + '=' + [System.Net.NetworkCredential]::new('', [securestring]$value).Password }
            'schedule' { ConvertTo-SupSyncScheduleArgument -Cmdlet $Cmdlet -Name $name -Binding $binding -Value $value }
        }
    }
}

function Invoke-SupSyncCall {
    <#
    .SYNOPSIS
    One host call of a generated function: read-only commands run; state-changing ones ask
    ShouldProcess, and under -WhatIf show the host's own plan (--what-if) when it has one.
    .PARAMETER Confirmed
    ShouldProcess was already asked (per gathered pipeline value).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [hashtable] $Command,

        [Parameter(Mandatory = $true)]
        [string[]] $Arguments,

        [Parameter(Mandatory = $true)]
        [string] $Target,

        [switch] $Confirmed
    )
    # Pipeline input: a failing call concerns one item, and the rest of the input still runs.
    $perItem = $Cmdlet.MyInvocation.ExpectingInput
    if (-not $Command.ChangesState) {
        Invoke-SupSyncHost -Cmdlet $Cmdlet -Arguments $Arguments -NonTerminating:$perItem
    }
    elseif ($WhatIfPreference -and $Command.HostWhatIf) {
        Invoke-SupSyncHost -Cmdlet $Cmdlet -Arguments ($Arguments + '--what-if') -WhatIfPlan -NonTerminating:$perItem
    }
    elseif ($Confirmed -or $Cmdlet.ShouldProcess($Target, $Command.Action)) {
        Invoke-SupSyncHost -Cmdlet $Cmdlet -Arguments $Arguments -NonTerminating:$perItem
    }
}

function Invoke-SupSyncCommand {
    <#
    .SYNOPSIS
    The process{} block of every generated function.
    .DESCRIPTION
    Values of the batching parameters (string[] parameters that take pipeline input) are gathered,
    after ShouldProcess per value, and sent to the host up to $Command.Batch.Size at a time, so
    that Import-Csv ids.csv | Import-UpdateFromCatalog starts node once per batch rather than once
    per row; results still stream as the host produces them. Everything else is one host call.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [hashtable] $Command,

        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary] $BoundParameters
    )
    if ($null -ne $Command.Batch) {
        $batched = @($Command.Batch.Parameters | Where-Object { $BoundParameters.ContainsKey($_) })
        if ($batched.Count -gt 0) {
            Add-SupSyncBatchItem -Cmdlet $Cmdlet -Command $Command -BoundParameters $BoundParameters -Batched $batched
            return
        }
        # Nothing to gather (e.g. -Path): what was gathered runs first, keeping the input order.
        Complete-SupSyncBatch -Cmdlet $Cmdlet -Command $Command
    }
    $arguments = @($Command.Words) + @(ConvertTo-SupSyncArgument -Cmdlet $Cmdlet -Command $Command -BoundParameters $BoundParameters)
    $target = $Cmdlet.MyInvocation.MyCommand.Name
    if ($Command.Target -and $BoundParameters.ContainsKey($Command.Target)) {
        $target = $Command.Target + ' ' + (@($BoundParameters[$Command.Target]) -join ', ')
    }
    Invoke-SupSyncCall -Cmdlet $Cmdlet -Command $Command -Arguments $arguments -Target $target
}

function Add-SupSyncBatchItem {
    <#
    .SYNOPSIS
    Gathers the values of the batching parameters of one pipeline item; a full batch, or one whose
    other parameters differ from this item's, runs first.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [hashtable] $Command,

        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary] $BoundParameters,

        [Parameter(Mandatory = $true)]
        [string[]] $Batched
    )
    $batch = $Command.Batch
    $rest = @(ConvertTo-SupSyncArgument -Cmdlet $Cmdlet -Command $Command -BoundParameters $BoundParameters -Exclude $batch.Parameters)
    $signature = ConvertTo-SupSyncArgvJson -Arguments $rest
    if ($batch.ContainsKey('Signature') -and $batch.Signature -ne $signature) { Complete-SupSyncBatch -Cmdlet $Cmdlet -Command $Command }
    $batch.Signature = $signature
    $batch.Rest = $rest
    if (-not $batch.ContainsKey('Items')) {
        $batch.Items = @{}
        $batch.Pending = 0
    }
    # Under -WhatIf the host's plan covers the whole batch; otherwise each value is confirmed (-Confirm).
    $askEach = $Command.ChangesState -and -not ($WhatIfPreference -and $Command.HostWhatIf)
    foreach ($name in $Batched) {
        foreach ($value in @($BoundParameters[$name])) {
            $text = [string]$value
            if ($askEach -and -not $Cmdlet.ShouldProcess("$name $text", $Command.Action)) { continue }
            if (-not $batch.Items.ContainsKey($name)) { $batch.Items[$name] = [System.Collections.Generic.List[string]]::new() }
            $batch.Items[$name].Add($text)
            $batch.Pending += 1
            if ($batch.Pending -ge $batch.Size) { Complete-SupSyncBatch -Cmdlet $Cmdlet -Command $Command }
        }
    }
}

function Complete-SupSyncBatch {
    <#
    .SYNOPSIS
    Runs the host for the gathered values (the end{} block of batching functions, and whenever a
    batch is full).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [hashtable] $Command
    )
    $batch = $Command.Batch
    if (-not $batch.ContainsKey('Items') -or $batch.Pending -eq 0) { return }
    $gathered = @{}
    foreach ($name in @($batch.Items.Keys)) { $gathered[$name] = $batch.Items[$name].ToArray() }
    $batch.Items = @{}
    $batch.Pending = 0
    $arguments = @($Command.Words) + @($batch.Rest) + @(ConvertTo-SupSyncArgument -Cmdlet $Cmdlet -Command $Command -BoundParameters $gathered)
    $target = (@($gathered.Values | ForEach-Object { $_ }) -join ', ')
    Invoke-SupSyncCall -Cmdlet $Cmdlet -Command $Command -Arguments $arguments -Target $target -Confirmed
}
