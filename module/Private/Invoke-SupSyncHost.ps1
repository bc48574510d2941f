# Handwritten (module/README.md). Running the supsync host and turning what it writes into
# PowerShell objects, errors, warnings, verbose lines and progress, as it arrives.

# One progress bar for whatever the host is doing.
$script:SupSyncProgressId = 0x5353
# The CliXml document around a block of the host's record lines (--output=clixml, one <Obj> a line).
$script:SupSyncCliXmlStart = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
$script:SupSyncCliXmlEnd = '</Objs>'
# PSSerializer.DeserializeAsList(string), run as a task on a block of them (Start-SupSyncRecordXml).
$script:SupSyncDeserializeAsList = [System.Management.Automation.PSSerializer].GetMethod('DeserializeAsList', [type[]]@([string]))
# How many blocks of stdout may be read ahead of the pipeline, being made into objects.
$script:SupSyncBlocksInFlight = 3
# Completions and the top-level site, per supsync home (emptied by every state-changing call).
$script:SupSyncCache = @{}

function ConvertTo-SupSyncArgvJson {
    <#
    .SYNOPSIS
    The host's argument list as a JSON array of strings.
    .DESCRIPTION
    Written by hand rather than with ConvertTo-Json: Windows PowerShell 5.1 serializes strings
    that carry extended properties (lines from Get-Content) as objects.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [AllowEmptyString()]
        [string[]] $Arguments
    )
    $escape = [System.Text.RegularExpressions.MatchEvaluator] {
        param($match)
        $code = [int][char]$match.Value
        if ($code -eq 0x22) { '\"' }
        elseif ($code -eq 0x5C) { '\\' }
        else { '\u{0:x4}' -f $code }
    }
    $items = foreach ($argument in $Arguments) { '"' + [regex]::Replace($argument, '[\\"\u0000-\u001f]', $escape) + '"' }
    '[' + (@($items) -join ',') + ']'
}

function ConvertTo-SupSyncCommandLine {
    <#
    .SYNOPSIS
    Arguments quoted into one command line the way the C runtime splits it: on .NET Framework
    ProcessStartInfo takes the arguments as one string.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [string[]] $Arguments
    )
    $quoted = foreach ($argument in $Arguments) {
        if ($argument -match '^[^\s"]+$') { $argument }
        else { '"' + ($argument -replace '(\\*)"', '$1$1\"' -replace '(\\+)$', '$1$1') + '"' }
    }
    @($quoted) -join ' '
}

function Start-SupSyncRecordXml {
    <#
    .SYNOPSIS
    Starts making objects of a block of the host's record lines (CliXml, one object a line) on a
    thread-pool thread; Complete-SupSyncRecordXml takes the result.
    .DESCRIPTION
    PowerShell's own deserializer makes the objects, typed ([datetime] in local time or wall-clock,
    Int64, Double, Boolean, lists, nested objects), in compiled code and for a whole block of lines
    at once. It runs as a task, PSSerializer.DeserializeAsList bound to the block's text as a
    delegate (no script runs off the pipeline thread), so that while it works the caller reads the
    host's next lines and writes the records of the blocks before to the pipeline: the
    deserializer is most of what reading records costs, and another core takes it.
    The deserializer would name each record's type with a "Deserialized." prefix, so a block whose
    lines are all records of one type (the usual block) is read without the type name, as plain
    PSCustomObjects, and Complete-SupSyncRecordXml puts the type in front of their type names.
    A single line is read when it is completed. PSSerializer.DeserializeAsList, Delegate.CreateDelegate
    and TaskFactory are in Windows PowerShell 5.1 as in pwsh 7.
    #>
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [string[]] $Lines
    )
    $block = @{ Lines = $Lines; Type = $null; Xml = $null; Task = $null }
    if ($Lines.Count -le 1) { return $block }
    $text = [string]::Join('', $Lines)
    # The first line's type, if every line starts with it: then the text without it.
    $head = $Lines[0]
    $end = $head.IndexOf('</T></TN>')
    if ($head.StartsWith('<Obj><TN><T>') -and $end -gt 12) {
        $name = $head.Substring(12, $end - 12)
        $prefix = $head.Substring(0, $end + 9)
        $plain = $text.Replace($prefix, '<Obj>')
        if ($name -match '^[A-Za-z][A-Za-z0-9.]*$' -and ($text.Length - $plain.Length) -eq ($prefix.Length - 5) * $Lines.Count) {
            $block.Type = $name
            $text = $plain
        }
    }
    $block.Xml = $script:SupSyncCliXmlStart + $text + $script:SupSyncCliXmlEnd
    # A task that cannot start leaves the block to be read on this thread when it is completed.
    try { $block.Task = [System.Threading.Tasks.Task[object[]]]::Factory.StartNew([System.Delegate]::CreateDelegate([System.Func[object[]]], $block.Xml, $script:SupSyncDeserializeAsList)) }
    catch { $block.Task = $null }
    $block
}

function Complete-SupSyncRecordXml {
    <#
    .SYNOPSIS
    The objects of a block started by Start-SupSyncRecordXml (waiting for them if need be), whose
    PSTypeNames are the record's type, then PSCustomObject's, in a list as long as the lines:
    $null for a line that is not a record.
    .DESCRIPTION
    A block that did not deserialize (a line that is not a record) is read line by line, so one
    bad line spoils only itself; a block of mixed types has its type names mended record by record.
    #>
    [OutputType([System.Collections.Generic.List[object]])]
    param(
        [Parameter(Mandatory = $true)]
        [hashtable] $Block
    )
    $lines = $Block.Lines
    $records = [System.Collections.Generic.List[object]]::new($lines.Count)
    if ($null -ne $Block.Xml) {
        try {
            if ($null -ne $Block.Task) { $records.AddRange($Block.Task.GetAwaiter().GetResult()) }
            else { $records.AddRange([System.Management.Automation.PSSerializer]::DeserializeAsList($Block.Xml)) }
        }
        catch { $records.Clear() }
        # A line of two objects would shift every record after it: then line by line after all.
        if ($records.Count -ne $lines.Count) { $records.Clear() }
        elseif ($null -ne $Block.Type) {
            $type = $Block.Type
            foreach ($record in $records) { $record.PSTypeNames.Insert(0, $type) }
            return , $records
        }
    }
    # Read some other way than as one type: the records name their own types.
    $Block.Type = $null
    if ($records.Count -ne $lines.Count) {
        foreach ($line in $lines) {
            $items = $null
            try { $items = [System.Management.Automation.PSSerializer]::DeserializeAsList($script:SupSyncCliXmlStart + $line + $script:SupSyncCliXmlEnd) }
            catch { $items = $null }
            if ($null -ne $items -and $items.Count -eq 1) { $records.Add($items[0]) } else { $records.Add($null) }
        }
    }
    for ($i = 0; $i -lt $records.Count; $i++) {
        $record = $records[$i]
        # A record is an object with one type name, its type: 'Deserialized.SupSync.Update'.
        if ($record -isnot [System.Management.Automation.PSCustomObject] -or $record.PSTypeNames.Count -ne 1 -or -not $record.PSTypeNames[0].StartsWith('Deserialized.')) { $records[$i] = $null; continue }
        $names = $record.PSTypeNames
        $type = $names[0].Substring(13)
        $names.Clear()
        $names.Add($type)
        $names.Add('System.Management.Automation.PSCustomObject')
        $names.Add('System.Object')
    }
    , $records
}

function Receive-SupSyncOutputLines {
    <#
    .SYNOPSIS
    A block of the host's stdout lines (Start-SupSyncRecordXml): records go to the pipeline; an
    error record is held until the next line, because only the host's last word can be its own
    failure (anything after an error record shows that it concerned one item).
    #>
    param(
        [Parameter(Mandatory = $true)]
        [hashtable] $Block,

        [Parameter(Mandatory = $true)]
        [hashtable] $State,

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )
    $Lines = $Block.Lines
    $records = Complete-SupSyncRecordXml -Block $Block
    # Most blocks hold records only: they go to the pipeline in one statement, enumerated in
    # compiled code rather than by a round of this loop each. XML escapes '<' in text, so the
    # type-name markup below can only be an error record's.
    $recordsOnly = $null -ne $Block.Type -and $Block.Type -ne 'SupSync.Error' -and $records.Count -gt 0
    if ($recordsOnly -or ($records.Count -gt 0 -and -not $records.Contains($null) -and -not [string]::Join('', $Lines).Contains('<TN><T>SupSync.Error</T></TN>'))) {
        if ($null -ne $State.Held -and $null -ne $Cmdlet) {
            $Cmdlet.WriteError($State.Held)
            $State.Held = $null
            $State.Errors += 1
        }
        $records
        return
    }
    for ($i = 0; $i -lt $records.Count; $i++) {
        $record = $records[$i]
        if ($null -eq $Cmdlet) {
            if ($null -ne $record -and $record.PSTypeNames[0] -ne 'SupSync.Error') { $record }
            continue
        }
        if ($null -ne $State.Held) {
            $Cmdlet.WriteError($State.Held)
            $State.Held = $null
            $State.Errors += 1
        }
        if ($null -eq $record) {
            $line = $Lines[$i]
            $Cmdlet.WriteError((New-SupSyncErrorRecord -Message "The supsync host wrote a line that is not a record: $line" -ErrorId 'HostOutputInvalid' -Category InvalidData -Target $line))
            $State.Errors += 1
        }
        elseif ($record.PSTypeNames[0] -eq 'SupSync.Error') {
            $State.Held = ConvertTo-SupSyncErrorRecord -Record $record -ParameterNames $State.ParameterNames
        }
        else {
            $record
        }
    }
}

function Receive-SupSyncLogLine {
    <#
    .SYNOPSIS
    One stderr line of the host: a SupSync.Progress record becomes Write-Progress; with
    -WhatIfPlan a "What if:" line becomes the -WhatIf output; "warn:" lines become warnings; the
    rest verbose lines ("error:" lines are also kept for the message of a failing exit).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Line,

        [Parameter(Mandatory = $true)]
        [hashtable] $State,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [switch] $WhatIfPlan
    )
    if ($Line.StartsWith('{')) {
        $record = $null
        try { $record = ConvertFrom-Json -InputObject $Line -ErrorAction Stop }
        catch { $record = $null }
        if ($record -is [System.Management.Automation.PSCustomObject] -and (Get-SupSyncValue -Object $record -Name 'type') -eq 'SupSync.Progress') {
            $activity = [string](Get-SupSyncValue -Object $record -Name 'Activity')
            if (-not $activity) { $activity = 'supsync' }
            $status = [string](Get-SupSyncValue -Object $record -Name 'Status')
            if (-not $status) { $status = $activity }
            $progress = [System.Management.Automation.ProgressRecord]::new($script:SupSyncProgressId, $activity, $status)
            $percent = Get-SupSyncValue -Object $record -Name 'PercentComplete'
            if ($null -ne $percent) {
                $progress.PercentComplete = [int][System.Math]::Max(-1, [System.Math]::Min(100, [double]$percent))
            }
            $State.Progress = $activity
            $Cmdlet.WriteProgress($progress)
            return
        }
    }
    if ($WhatIfPlan -and $Line.StartsWith('What if: ')) {
        $plan = $Line.Substring(9)
        [void]$Cmdlet.ShouldProcess($plan, $plan, 'What if')
    }
    elseif ($Line.StartsWith('warn: ')) {
        $Cmdlet.WriteWarning((ConvertTo-SupSyncPowerShellTerms -Text $Line.Substring(6) -ParameterNames $State.ParameterNames))
    }
    else {
        if ($Line.StartsWith('error: ')) { $State.LastError = ConvertTo-SupSyncPowerShellTerms -Text $Line.Substring(7) -ParameterNames $State.ParameterNames }
        $Cmdlet.WriteVerbose($Line)
    }
}

function Complete-SupSyncHostCall {
    <#
    .SYNOPSIS
    After the host exited: its held last error record, or an error for a failing exit code that
    came without one. A failure of the call itself is terminating unless -NonTerminating; a
    partial failure (some items failed) never is.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [int] $ExitCode,

        [Parameter(Mandatory = $true)]
        [hashtable] $State,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string] $CommandLine,

        [switch] $NonTerminating
    )
    # A queued sync request is no failure: its Queued result is the answer.
    if ($ExitCode -eq $script:SupSyncQueuedExitCode -and $null -eq $State.Held) { return }
    $failed = $ExitCode -ne 0 -and $ExitCode -ne $script:SupSyncPartialExitCode
    $errorRecord = $State.Held
    if ($null -eq $errorRecord -and $ExitCode -ne 0 -and ($failed -or $State.Errors -eq 0)) {
        $errorRecord = New-SupSyncExitErrorRecord -ExitCode $ExitCode -CommandLine $CommandLine -Detail ([string]$State.LastError)
    }
    if ($null -eq $errorRecord) { return }
    if ($failed -and -not $NonTerminating) { $Cmdlet.ThrowTerminatingError($errorRecord) }
    $Cmdlet.WriteError($errorRecord)
}

function Invoke-SupSyncHost {
    <#
    .SYNOPSIS
    Runs the supsync host with the given arguments and writes its records to the pipeline as they
    arrive.
    .DESCRIPTION
    The arguments travel as base64 of a UTF-8 JSON array in the child's SUPSYNC_ARGV environment
    variable (the host's --argv-env), so no shell or native-argument quoting rule touches them.
    stdout and stderr are read as UTF-8 whatever the console code page (Windows PowerShell 5.1
    would otherwise decode them in the OEM code page), a line at a time as it arrives. A stopped
    pipeline (Ctrl+C, Select-Object -First) kills the host.
    .PARAMETER Cmdlet
    The public cmdlet the host runs for: errors, warnings, verbose lines, progress and -WhatIf
    output go through it. Without one (argument completion) only records come back and failures
    are silent.
    .PARAMETER WhatIfPlan
    The host was given --what-if: its "What if:" lines are the -WhatIf output.
    .PARAMETER NonTerminating
    The call served one pipeline item: the host's failure is written as a non-terminating error
    so that the rest of the input still runs.
    .PARAMETER ParameterNames
    Host flag -> the cmdlet's parameter name, so that error messages and targets name
    -WaitMonth rather than --wait-months.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string[]] $Arguments,

        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [switch] $WhatIfPlan,

        [switch] $NonTerminating,

        [hashtable] $ParameterNames = @{}
    )
    try {
        $node = Resolve-SupSyncNode
        $hostPath = Resolve-SupSyncHostPath
    }
    catch {
        if ($null -eq $Cmdlet) { return }
        $Cmdlet.ThrowTerminatingError($_)
    }
    $utf8 = [System.Text.UTF8Encoding]::new($false)
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new()
    $startInfo.FileName = $node
    $startInfo.Arguments = ConvertTo-SupSyncCommandLine -Arguments (@($script:SupSyncNodeOptions) + @($hostPath, '--argv-env', 'SUPSYNC_ARGV'))
    # The host is quiet by default: under -Verbose it is asked for its log lines (Write-Verbose).
    $hostFlags = @('--output=clixml')
    if ($VerbosePreference -ne 'SilentlyContinue' -and $VerbosePreference -ne 'Ignore') { $hostFlags += '--verbose' }
    $argv = ConvertTo-SupSyncArgvJson -Arguments ($hostFlags + $Arguments)
    $startInfo.EnvironmentVariables['SUPSYNC_ARGV'] = [System.Convert]::ToBase64String($utf8.GetBytes($argv))
    # Relative paths the host is given mean the same as in PowerShell.
    $startInfo.WorkingDirectory = (Get-Location -PSProvider FileSystem).ProviderPath
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.StandardOutputEncoding = $utf8
    $startInfo.StandardErrorEncoding = $utf8

    $process = [System.Diagnostics.Process]::new()
    $process.StartInfo = $startInfo
    $state = @{ Held = $null; Errors = 0; Progress = $null; LastError = $null; ParameterNames = $ParameterNames }
    $started = $false
    try {
        $started = $process.Start()
        $process.StandardInput.Close()
        $stdout = $process.StandardOutput
        $stderr = $process.StandardError
        # stdout is read in blocks of complete lines, each made into objects on a thread-pool
        # thread (Start-SupSyncRecordXml) while this loop reads on; finished blocks go to the
        # pipeline in the host's order. stderr (log lines, progress) is read a line at a time.
        $block = [char[]]::new(65536)
        $partial = ''
        $inFlight = [System.Collections.Generic.Queue[hashtable]]::new()
        $outRead = $stdout.ReadAsync($block, 0, $block.Length)
        $errLine = $stderr.ReadLineAsync()
        while ($null -ne $outRead -or $null -ne $errLine -or $inFlight.Count -gt 0) {
            while ($inFlight.Count -gt 0 -and ($null -eq $inFlight.Peek().Task -or $inFlight.Peek().Task.IsCompleted)) {
                Receive-SupSyncOutputLines -Block $inFlight.Dequeue() -State $state -Cmdlet $Cmdlet
            }
            $pending = [System.Collections.Generic.List[System.Threading.Tasks.Task]]::new()
            # A bounded number of blocks ahead: reading waits while they are made.
            $reading = $null -ne $outRead -and $inFlight.Count -lt $script:SupSyncBlocksInFlight
            if ($reading) { $pending.Add($outRead) }
            if ($null -ne $errLine) { $pending.Add($errLine) }
            if ($inFlight.Count -gt 0) { $pending.Add($inFlight.Peek().Task) }
            if ($pending.Count -eq 0) { continue }
            # Short waits: PowerShell acts on Ctrl+C only between statements.
            if ([System.Threading.Tasks.Task]::WaitAny($pending.ToArray(), 200) -lt 0) { continue }
            if ($reading -and $outRead.IsCompleted) {
                $count = $outRead.Result
                if ($count -eq 0) {
                    $outRead = $null
                    $text = $partial
                    $partial = ''
                }
                else {
                    $text = $partial + [string]::new($block, 0, $count)
                    $outRead = $stdout.ReadAsync($block, 0, $block.Length)
                    $end = $text.LastIndexOf([char]10)
                    $partial = $text.Substring($end + 1)
                    $text = $text.Substring(0, $end + 1)
                }
                $lines = $text.Split([char[]]@([char]13, [char]10), [System.StringSplitOptions]::RemoveEmptyEntries)
                if ($lines.Count -gt 0) { $inFlight.Enqueue((Start-SupSyncRecordXml -Lines $lines)) }
            }
            if ($null -ne $errLine -and $errLine.IsCompleted) {
                $line = $errLine.Result
                if ($null -eq $line) { $errLine = $null } else { $errLine = $stderr.ReadLineAsync() }
                if ($line -and $null -ne $Cmdlet) { Receive-SupSyncLogLine -Line $line -State $state -Cmdlet $Cmdlet -WhatIfPlan:$WhatIfPlan }
            }
        }
        $process.WaitForExit()
        if ($null -ne $Cmdlet) {
            Complete-SupSyncProgress -State $state -Cmdlet $Cmdlet
            Complete-SupSyncHostCall -ExitCode $process.ExitCode -State $state -Cmdlet $Cmdlet -CommandLine $Cmdlet.MyInvocation.MyCommand.Name -NonTerminating:$NonTerminating
        }
    }
    finally {
        # Ctrl+C, Select-Object -First or a terminating error: the host must not outlive the call.
        # Nothing here may throw over the error that got us here: a failed kill (the host just
        # exited) or progress write (the pipeline is stopping) is let go.
        if ($started -and -not $process.HasExited) {
            try { $process.Kill() } catch { $null = $_ }
        }
        $process.Dispose()
        try { Complete-SupSyncProgress -State $state -Cmdlet $Cmdlet } catch { $null = $_ }
    }
}

function Complete-SupSyncProgress {
    <#
    .SYNOPSIS
    Clears the progress bar of a host call, if it showed one.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [hashtable] $State,

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )
    if ($null -eq $State.Progress -or $null -eq $Cmdlet) { return }
    $done = [System.Management.Automation.ProgressRecord]::new($script:SupSyncProgressId, $State.Progress, 'Done')
    $done.RecordType = [System.Management.Automation.ProgressRecordType]::Completed
    $State.Progress = $null
    $Cmdlet.WriteProgress($done)
}
