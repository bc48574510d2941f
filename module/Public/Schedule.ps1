# Handwritten (module/README.md). New-CMSchedule and Convert-CMSchedule with ConfigMgr's syntax, so
# that a sync script written for the ConfigurationManager module builds its -Schedule unchanged.
# The schedule arithmetic is the host's (supsync schedule new).

function New-CMSchedule {
    <#
    .SYNOPSIS
    Creates a schedule token, as ConfigMgr's New-CMSchedule does.

    .DESCRIPTION
    Builds a schedule with ConfigMgr's parameters and returns it with the properties of its
    SMS_ST_* class (SmsProviderObjectPath, StartTime, IsGMT, DaySpan/HourSpan/MinuteSpan, Day,
    ForNumberOfWeeks, MonthDay, ForNumberOfMonths, WeekOrder, the durations) plus ScheduleString,
    Description and NextRun. Set-CMSoftwareUpdatePointComponent -Schedule takes it. With
    -ScheduleString only the 16-hex-digit schedule string is returned.

    -End, -DurationCount, -DurationInterval and -OffsetDay describe maintenance windows, which a
    sync schedule does not have: they are refused with an error naming them.

    .PARAMETER Start
    When the schedule starts: local time unless -IsUtc (or a [datetime] of Kind Utc). Default: now.

    .PARAMETER RecurInterval
    Minutes, Hours or Days: recur every -RecurCount of them.

    .PARAMETER RecurCount
    The interval count; with -DayOfWeek the weeks between runs, with -DayOfMonth, -LastDayOfMonth
    or -WeekOrder the months between runs. Default 1.

    .PARAMETER DayOfWeek
    Weekly on this day (with -WeekOrder: monthly on that weekday).

    .PARAMETER WeekOrder
    First, Second, Third, Fourth or Last: monthly on that -DayOfWeek.

    .PARAMETER DayOfMonth
    Monthly on this day (1-31; 0 is the last day).

    .PARAMETER LastDayOfMonth
    Monthly on the last day of the month.

    .PARAMETER Nonrecurring
    Once, at -Start.

    .PARAMETER IsUtc
    -Start is UTC.

    .PARAMETER ScheduleString
    Return the schedule string instead of the schedule.

    .PARAMETER End
    ConfigMgr: when a window ends. Not supported for sync schedules.

    .PARAMETER DurationCount
    ConfigMgr: how long a window lasts. Not supported for sync schedules.

    .PARAMETER DurationInterval
    ConfigMgr: the unit of -DurationCount. Not supported for sync schedules.

    .PARAMETER OffsetDay
    ConfigMgr: days after the -WeekOrder weekday. Not supported for sync schedules.

    .PARAMETER DisableWildcardHandling
    Accepted as ConfigMgr takes it; this cmdlet takes no wildcards.

    .PARAMETER ForceWildcardHandling
    Accepted as ConfigMgr takes it; this cmdlet takes no wildcards.

    .EXAMPLE
    New-CMSchedule -DayOfWeek Sunday -Start (Get-Date -Year 2026 -Month 11 -Day 29 -Hour 2 -Minute 0 -Second 0)

    Every Sunday at 2:00 AM local time.

    .EXAMPLE
    New-CMSchedule -RecurInterval Days -RecurCount 7 -ScheduleString

    The schedule string of "every 7 days from now".

    .EXAMPLE
    Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -Schedule (New-CMSchedule -LastDayOfMonth -Start '2026-12-31 22:00')

    Synchronizes CS1 on the last day of every month at 10 PM.

    .INPUTS
    None

    .OUTPUTS
    SupSync.Schedule

    .LINK
    Convert-CMSchedule

    .LINK
    Set-CMSoftwareUpdatePointComponent
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Low', PositionalBinding = $false)]
    [OutputType('SupSync.Schedule')]
    [OutputType([string])]
    param(
        [datetime] $Start,

        [ValidateSet('Minutes', 'Hours', 'Days')]
        [string] $RecurInterval,

        [int] $RecurCount,

        [System.DayOfWeek] $DayOfWeek,

        [ValidateSet('First', 'Second', 'Third', 'Fourth', 'Last')]
        [string] $WeekOrder,

        [int] $DayOfMonth,

        [switch] $LastDayOfMonth,

        [switch] $Nonrecurring,

        [switch] $IsUtc,

        [switch] $ScheduleString,

        [datetime] $End,

        [int] $DurationCount,

        [string] $DurationInterval,

        [int] $OffsetDay,

        [switch] $DisableWildcardHandling,

        [switch] $ForceWildcardHandling
    )

    process {
        foreach ($name in @('End', 'DurationCount', 'DurationInterval', 'OffsetDay')) {
            if ($PSBoundParameters.ContainsKey($name)) {
                $PSCmdlet.ThrowTerminatingError((New-SupSyncErrorRecord -Message "-$name is not supported by SupSync: a software update sync schedule has no end or duration (those describe maintenance windows)." -ErrorId 'ParameterNotSupported' -Category NotImplemented -Target $name))
            }
        }
        $arguments = [System.Collections.Generic.List[string]]::new()
        $arguments.AddRange([string[]]@('schedule', 'new'))
        $startValue = if ($PSBoundParameters.ContainsKey('Start')) { $Start } else { Get-Date }
        $arguments.Add('--start=' + (ConvertTo-SupSyncDateText -Value $startValue))
        if ($IsUtc) { $arguments.Add('--utc') }
        $count = if ($PSBoundParameters.ContainsKey('RecurCount')) { $RecurCount } else { 1 }
        if ($RecurInterval) { $arguments.AddRange([string[]]@("--recur-interval=$($RecurInterval.ToLowerInvariant())", "--recur-count=$count")) }
        elseif ($PSBoundParameters.ContainsKey('DayOfWeek')) {
            $arguments.AddRange([string[]]@("--day-of-week=$DayOfWeek", "--recur-count=$count"))
            if ($WeekOrder) { $arguments.Add("--week-order=$($WeekOrder.ToLowerInvariant())") }
        }
        elseif ($LastDayOfMonth) { $arguments.AddRange([string[]]@('--day-of-month=0', "--recur-count=$count")) }
        elseif ($PSBoundParameters.ContainsKey('DayOfMonth')) { $arguments.AddRange([string[]]@("--day-of-month=$DayOfMonth", "--recur-count=$count")) }
        else { $arguments.Add('--nonrecurring') }
        if (-not $PSCmdlet.ShouldProcess('schedule', 'Create')) { return }
        foreach ($schedule in @(Invoke-SupSyncHost -Cmdlet $PSCmdlet -Arguments $arguments.ToArray())) {
            if ($ScheduleString) { [string]$schedule.ScheduleString } else { $schedule }
        }
    }
}

function Convert-CMSchedule {
    <#
    .SYNOPSIS
    Converts schedule tokens to schedule strings and back, as ConfigMgr's Convert-CMSchedule does.

    .DESCRIPTION
    -InputObject takes schedules (New-CMSchedule's or New-CMSoftwareUpdateSyncSchedule's output,
    or any object with the properties of an SMS_ST_* schedule token) and returns their
    16-hex-digit schedule strings. -ScheduleString takes schedule strings and returns the
    schedules they encode.

    .PARAMETER InputObject
    Schedules to encode.

    .PARAMETER ScheduleString
    Schedule strings to decode.

    .PARAMETER DisableWildcardHandling
    Accepted as ConfigMgr takes it; this cmdlet takes no wildcards.

    .PARAMETER ForceWildcardHandling
    Accepted as ConfigMgr takes it; this cmdlet takes no wildcards.

    .EXAMPLE
    Convert-CMSchedule -ScheduleString '0001200000100038'

    Decodes a schedule string copied from ConfigMgr.

    .EXAMPLE
    New-CMSchedule -RecurInterval Hours -RecurCount 12 | Convert-CMSchedule

    The schedule string of "every 12 hours".

    .INPUTS
    System.Object[]: -InputObject, by value.

    .OUTPUTS
    System.String

    .OUTPUTS
    SupSync.Schedule

    .LINK
    New-CMSchedule
    #>
    [CmdletBinding(DefaultParameterSetName = 'ByToken', PositionalBinding = $false)]
    [OutputType([string])]
    [OutputType('SupSync.Schedule')]
    param(
        [Parameter(ParameterSetName = 'ByToken', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [Alias('ScheduleToken')]
        [object[]] $InputObject,

        [Parameter(ParameterSetName = 'ByString', Mandatory = $true, Position = 0)]
        [string[]] $ScheduleString,

        [switch] $DisableWildcardHandling,

        [switch] $ForceWildcardHandling
    )

    process {
        if ($PSCmdlet.ParameterSetName -eq 'ByString') {
            foreach ($text in $ScheduleString) { Invoke-SupSyncHost -Cmdlet $PSCmdlet -Arguments @('schedule', 'new', "--schedule-string=$text") }
            return
        }
        foreach ($token in $InputObject) {
            $known = if ($null -ne $token) { $token.PSObject.Properties['ScheduleString'] } else { $null }
            if ($null -ne $known -and $known.Value) { [string]$known.Value; continue }
            $arguments = @(ConvertTo-SupSyncScheduleArgument -Cmdlet $PSCmdlet -Name 'InputObject' -Binding @{ Flag = 'schedule-string'; NullFlag = 'no-schedule' } -Value $token)
            foreach ($schedule in @(Invoke-SupSyncHost -Cmdlet $PSCmdlet -Arguments (@('schedule', 'new') + $arguments))) { [string]$schedule.ScheduleString }
        }
    }
}
