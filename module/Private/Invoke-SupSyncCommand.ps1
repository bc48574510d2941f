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
    if ($Value -isnot [array] -and $null -ne $property -and $property.Value) { return '--' + $Binding.Flag + '=' + [string]$property.Value }
    $shaped = @('DaySpan', 'HourSpan', 'MinuteSpan', 'Day', 'MonthDay', 'StartTime') | Where-Object { $null -ne $Value.PSObject.Properties[$_] }
    if ($Value -isnot [array] -and @($shaped).Count -gt 0) { return (ConvertTo-SupSyncScheduleTokenArgument -Token $Value) }
    $Cmdlet.ThrowTerminatingError((New-SupSyncErrorRecord -Message "-$Name takes one schedule (New-CMSoftwareUpdateSyncSchedule's output), a schedule string, or `$null to turn scheduled synchronization off." -ErrorId 'ScheduleInvalid' -Category InvalidArgument -Target $Value))
}

function ConvertTo-SupSyncScheduleTokenArgument {
    <#
    .SYNOPSIS
    Host schedule arguments for an object shaped like New-CMSchedule's result in ConfigMgr (an
    SMS_ST_* schedule token: StartTime, IsGMT, DaySpan/HourSpan/MinuteSpan, Day and
    ForNumberOfWeeks, MonthDay and ForNumberOfMonths, WeekOrder), which has no ScheduleString.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [object] $Token
    )
    $read = { param($name) $property = $Token.PSObject.Properties[$name]; if ($null -eq $property) { $null } else { $property.Value } }
    $days = @('Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday')
    $orders = @('last', 'first', 'second', 'third', 'fourth')
    $start = & $read 'StartTime'
    if ($null -ne $start) { '--start=' + (ConvertTo-SupSyncDateText -Value $start) }
    if (& $read 'IsGMT') { '--utc' }
    $daySpan = [int](& $read 'DaySpan'); $hourSpan = [int](& $read 'HourSpan'); $minuteSpan = [int](& $read 'MinuteSpan')
    $day = [int](& $read 'Day'); $weeks = [int](& $read 'ForNumberOfWeeks'); $months = [int](& $read 'ForNumberOfMonths')
    $monthDay = & $read 'MonthDay'; $weekOrder = & $read 'WeekOrder'
    if ($daySpan -gt 0) { '--recur-interval=days'; "--recur-count=$daySpan" }
    elseif ($hourSpan -gt 0) { '--recur-interval=hours'; "--recur-count=$hourSpan" }
    elseif ($minuteSpan -gt 0) { '--recur-interval=minutes'; "--recur-count=$minuteSpan" }
    elseif ($day -ge 1 -and $day -le 7 -and $null -ne $weekOrder -and $months -gt 0) { '--day-of-week=' + $days[$day - 1]; '--week-order=' + $orders[[int]$weekOrder]; "--recur-count=$months" }
    elseif ($day -ge 1 -and $day -le 7 -and $weeks -gt 0) { '--day-of-week=' + $days[$day - 1]; "--recur-count=$weeks" }
    elseif ($null -ne $monthDay -and $months -gt 0) { "--day-of-month=$([int]$monthDay)"; "--recur-count=$months" }
    else { '--nonrecurring' }
}

function ConvertTo-SupSyncDateText {
    <#
    .SYNOPSIS
    A [datetime] (or date text) as the host reads it: UTC values with Z, the rest as local
    wall-clock time without an offset.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [object] $Value
    )
    if ($Value -is [string]) { return $Value }
    $date = [datetime]$Value
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    if ($date.Kind -eq [System.DateTimeKind]::Utc) { return $date.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $invariant) }
    $date.ToString("yyyy-MM-dd'T'HH:mm:ss", $invariant)
}

function Resolve-SupSyncPath {
    <#
    .SYNOPSIS
    A -Path value as a file-system path: PSDrive paths and ~ through the provider, a relative
    path against the current file-system location (also when the prompt is on another provider,
    such as a ConfigMgr site drive PS CS1:\>).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [string] $Path
    )
    $qualified = $Path -match '^[A-Za-z][A-Za-z0-9_-]*:' -or $Path.StartsWith('~')
    if (-not $qualified -and -not [System.IO.Path]::IsPathRooted($Path)) {
        # Through the provider, which also reads .\file on Linux.
        return $Cmdlet.GetUnresolvedProviderPathFromPSPath((Join-Path -Path (Get-Location -PSProvider FileSystem).Path -ChildPath $Path))
    }
    if ((Get-Location).Provider.Name -ne 'FileSystem' -and [System.IO.Path]::IsPathRooted($Path) -and -not $qualified) { return $Path }
    $Cmdlet.GetUnresolvedProviderPathFromPSPath($Path)
}

function ConvertTo-SupSyncCategoryId {
    <#
    .SYNOPSIS
    A -Category value as the host's category: a Get-CMSoftwareUpdateCategory record (or a
    ConfigMgr SMS_UpdateCategoryInstance) by its GUID, a string as it is.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [AllowNull()]
        [object] $Value
    )
    if ($Value -is [string]) { return $Value }
    if ($null -ne $Value) {
        foreach ($name in @('CategoryInstance_UniqueID', 'Id')) {
            $property = $Value.PSObject.Properties[$name]
            if ($null -ne $property -and $property.Value) { return [string]$property.Value }
        }
    }
    $Cmdlet.ThrowTerminatingError((New-SupSyncErrorRecord -Message '-Category takes categories (Get-CMSoftwareUpdateCategory), category GUIDs or titles.' -ErrorId 'CategoryInvalid' -Category InvalidArgument -Target $Value))
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
            'path' { $flag + '=' + (Resolve-SupSyncPath -Cmdlet $Cmdlet -Path ([string]$value)) }
            'datetime' { $flag + '=' + (ConvertTo-SupSyncDateText -Value $value) }
            'category' { foreach ($item in $value) { $flag + '=' + (ConvertTo-SupSyncCategoryId -Cmdlet $Cmdlet -Value $item) } }
            'siteObject' {
                $site = $null
                if ($null -ne $value -and $null -ne $value.PSObject.Properties['SiteCode']) { $site = [string]$value.SiteCode }
                if (-not $site) { $Cmdlet.ThrowTerminatingError((New-SupSyncErrorRecord -Message "-$name takes a software update point component (Get-CMSoftwareUpdatePointComponent) or an object with a SiteCode." -ErrorId 'InputObjectInvalid' -Category InvalidArgument -Target $value)) }
                $flag + '=' + $site
            }
            'accept' { $Cmdlet.WriteVerbose("-$name is accepted as ConfigMgr takes it and changes nothing in SupSync.") }
            'refuse' { $Cmdlet.ThrowTerminatingError((New-SupSyncErrorRecord -Message "-$name is not supported by SupSync: $($binding.Reason)" -ErrorId 'ParameterNotSupported' -Category NotImplemented -Target $name)) }
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
    .PARAMETER PerItem
    The call serves gathered items, each with its own result: its failure is non-terminating.
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
        [AllowEmptyString()]
        [string] $Target,

        [switch] $Confirmed,

        [switch] $PerItem
    )
    # Pipeline input, or a batch whose results are per item: a failing call concerns items, and the
    # rest of the input still runs.
    $perItem = $PerItem -or $Cmdlet.MyInvocation.ExpectingInput
    # Host messages name this cmdlet's parameters, not the host's flags.
    $parameterNames = @{ 'what-if' = 'WhatIf' }
    foreach ($name in $Command.Parameters.Keys) {
        $flag = $Command.Parameters[$name].Flag
        if ($flag -and -not $parameterNames.ContainsKey($flag)) { $parameterNames[$flag] = $name }
    }
    if (-not $Command.ChangesState) {
        Invoke-SupSyncHost -Cmdlet $Cmdlet -Arguments $Arguments -NonTerminating:$perItem -ParameterNames $parameterNames
        return
    }
    # Completions and the top-level site may change with any state-changing call.
    $script:SupSyncCache = @{}
    if ($WhatIfPreference -and $Command.HostWhatIf) {
        Invoke-SupSyncHost -Cmdlet $Cmdlet -Arguments ($Arguments + '--what-if') -WhatIfPlan -NonTerminating:$perItem -ParameterNames $parameterNames
    }
    elseif ($Confirmed -or $Cmdlet.ShouldProcess($Target, $Command.Action)) {
        Invoke-SupSyncHost -Cmdlet $Cmdlet -Arguments $Arguments -NonTerminating:$perItem -ParameterNames $parameterNames
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
        [System.Collections.IDictionary] $BoundParameters,

        [AllowNull()]
        [object] $PipelineObject
    )
    $BoundParameters = Add-SupSyncDefaultSite -Cmdlet $Cmdlet -Command $Command -BoundParameters $BoundParameters
    # A pipeline object that bound some parameter by property name (an Import-Csv row with a KB
    # column) is also coerced to text for a [string[]] parameter that takes pipeline input by value
    # ("@{KB=123}"): that value is not input.
    if ($null -ne $PipelineObject -and $PipelineObject -isnot [string] -and $PipelineObject -isnot [System.ValueType]) {
        $coerced = [string]$PipelineObject
        foreach ($name in @($BoundParameters.Keys)) {
            $value = @($BoundParameters[$name])
            if ($Command.Parameters.Contains($name) -and $Command.Parameters[$name].Type -eq 'string[]' -and $value.Count -eq 1 -and [string]$value[0] -eq $coerced) {
                $copy = @{}
                foreach ($key in $BoundParameters.Keys) { if ($key -ne $name) { $copy[$key] = $BoundParameters[$key] } }
                $BoundParameters = $copy
            }
        }
    }
    # An update record piped in binds -Category by value and -UpdateId by property name: it is the update.
    foreach ($name in @($BoundParameters.Keys)) {
        if ($Command.Parameters.Contains($name) -and $Command.Parameters[$name].Type -eq 'category') {
            $updates = @($BoundParameters[$name] | Where-Object { $null -ne $_ -and $_ -isnot [string] -and $null -ne $_.PSObject.Properties['CI_UniqueID'] })
            if ($updates.Count -gt 0 -and $updates.Count -eq @($BoundParameters[$name]).Count) {
                $copy = @{}
                foreach ($key in $BoundParameters.Keys) { if ($key -ne $name) { $copy[$key] = $BoundParameters[$key] } }
                $BoundParameters = $copy
            }
        }
    }
    if ($null -ne $Command.Batch) {
        # A statement, not a pipeline: this runs once per input row.
        $batched = @(foreach ($name in $Command.Batch.Parameters) { if ($BoundParameters.ContainsKey($name)) { $name } })
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

function Add-SupSyncDefaultSite {
    <#
    .SYNOPSIS
    The bound parameters, with the home's top-level site for a -SiteCode that ConfigMgr takes from
    the site drive and the caller left out (said in -Verbose). Only in the default parameter set:
    -Name and -InputObject name the site otherwise.
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.IDictionary])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [hashtable] $Command,

        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary] $BoundParameters
    )
    $set = $Cmdlet.ParameterSetName
    $defaultSet = $Cmdlet.MyInvocation.MyCommand.DefaultParameterSet
    if ($set -ne '__AllParameterSets' -and $defaultSet -and $set -ne $defaultSet) { return , $BoundParameters }
    foreach ($name in $Command.Parameters.Keys) {
        if (-not $Command.Parameters[$name].ContainsKey('DefaultTopLevel') -or $BoundParameters.ContainsKey($name)) { continue }
        $site = Get-SupSyncTopLevelSite -Cmdlet $Cmdlet
        $copy = @{}
        foreach ($key in $BoundParameters.Keys) { $copy[$key] = $BoundParameters[$key] }
        $copy[$name] = $site
        $Cmdlet.WriteVerbose("-$name not given: using $site, the top-level site of this supsync home.")
        return , $copy
    }
    , $BoundParameters
}

function Get-SupSyncTopLevelSite {
    <#
    .SYNOPSIS
    The home's top-level site code, asked of the host once per home (until a state-changing call).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )
    $key = 'top|' + [string]$env:SUPSYNC_HOME
    if ($null -eq $script:SupSyncCache) { $script:SupSyncCache = @{} }
    if (-not $script:SupSyncCache.ContainsKey($key)) {
        $top = @(Invoke-SupSyncHost -Cmdlet $Cmdlet -Arguments @('site', 'list') | Where-Object { $_.TopLevel })
        if ($top.Count -ne 1) {
            $found = if ($top.Count -eq 0) { 'has no site' } else { 'has ' + $top.Count + ' top-level sites (' + (($top | ForEach-Object { $_.SiteCode }) -join ', ') + ')' }
            $Cmdlet.ThrowTerminatingError((New-SupSyncErrorRecord -Message "Give -SiteCode: this supsync home $found." -ErrorId 'SiteCodeRequired' -Category InvalidArgument -Target 'SiteCode'))
        }
        $script:SupSyncCache[$key] = [string]$top[0].SiteCode
    }
    $script:SupSyncCache[$key]
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
    # The other parameters' arguments, worked out again only when their values differ from the
    # previous item's (an Import-Csv row binds the same command-line values every time): the
    # same objects, or equal text and numbers.
    $others = @{}
    foreach ($name in $BoundParameters.Keys) { if ($batch.Parameters -notcontains $name) { $others[$name] = $BoundParameters[$name] } }
    $same = $batch.ContainsKey('Others') -and $batch.Others.Count -eq $others.Count
    if ($same) {
        foreach ($name in $others.Keys) {
            $value = $others[$name]
            $before = $batch.Others[$name]
            if (-not ($batch.Others.ContainsKey($name) -and ([object]::ReferenceEquals($value, $before) -or (($value -is [string] -or $value -is [System.ValueType]) -and $value -ceq $before)))) { $same = $false; break }
        }
    }
    if (-not $same) {
        $rest = @(ConvertTo-SupSyncArgument -Cmdlet $Cmdlet -Command $Command -BoundParameters $BoundParameters -Exclude $batch.Parameters)
        $signature = ConvertTo-SupSyncArgvJson -Arguments $rest
        if ($batch.ContainsKey('Signature') -and $batch.Signature -ne $signature) { Complete-SupSyncBatch -Cmdlet $Cmdlet -Command $Command }
        $batch.Signature = $signature
        $batch.Rest = $rest
        $batch.Others = $others
    }
    if (-not $batch.ContainsKey('Items')) {
        $batch.Items = @{}
        $batch.Pending = 0
        $batch.PendingChars = 0
    }
    # Under -WhatIf the host's plan covers the whole batch; otherwise each value is confirmed (-Confirm).
    $askEach = $Command.ChangesState -and -not ($WhatIfPreference -and $Command.HostWhatIf)
    # A CSV row binds every column it has, blank cells too: the blank ones are left out, and a row
    # with nothing but blanks still goes to the host (as its first column), which reports it.
    $values = [System.Collections.Generic.List[object]]::new()
    foreach ($name in $Batched) {
        foreach ($value in @($BoundParameters[$name])) {
            $text = if ($Command.Parameters[$name].Type -eq 'category') { ConvertTo-SupSyncCategoryId -Cmdlet $Cmdlet -Value $value } else { [string]$value }
            if ($text.Trim() -ne '') { $values.Add(@($name, $text)) }
        }
    }
    if ($values.Count -eq 0) { $values.Add(@($Batched[0], '')) }
    foreach ($pair in $values) {
        $name = $pair[0]
        $text = $pair[1]
        if ($askEach -and -not $Cmdlet.ShouldProcess("$name '$text'", $Command.Action)) { continue }
        if (-not $batch.Items.ContainsKey($name)) { $batch.Items[$name] = [System.Collections.Generic.List[string]]::new() }
        $batch.Items[$name].Add($text)
        $batch.Pending += 1
        # The value, its flag and the JSON around it, as they travel in SUPSYNC_ARGV.
        $batch.PendingChars += $text.Length + $name.Length + 8
        if ($batch.Pending -ge $batch.Size -or $batch.PendingChars -ge $batch.Chars) { Complete-SupSyncBatch -Cmdlet $Cmdlet -Command $Command }
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
    foreach ($name in @($batch.Items.Keys)) { $gathered[$name] = [string[]]$batch.Items[$name].ToArray() }
    $batch.Items = @{}
    $batch.Pending = 0
    $batch.PendingChars = 0
    # The gathered values before the other flags: the host's parser refuses an empty list value
    # (a blank CSV row, --update-id=) as the last argument, and takes it anywhere else.
    $arguments = @($Command.Words) + @(ConvertTo-SupSyncArgument -Cmdlet $Cmdlet -Command $Command -BoundParameters $gathered) + @($batch.Rest)
    $target = (@($gathered.Values | ForEach-Object { $_ }) -join ', ')
    Invoke-SupSyncCall -Cmdlet $Cmdlet -Command $Command -Arguments $arguments -Target $target -Confirmed -PerItem
}
