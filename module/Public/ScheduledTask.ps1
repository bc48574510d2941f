# Handwritten (module/README.md). Scheduling a site's sync with Windows Task Scheduler, from the
# task XML the host writes (supsync schedule task-xml).

function Register-CMSoftwareUpdateSyncTask {
    <#
    .SYNOPSIS
    Registers a Windows Task Scheduler task that synchronizes a site on its sync schedule.

    .DESCRIPTION
    Asks the host for the task XML of the site's sync schedule (supsync schedule task-xml), then
    registers it with Register-ScheduledTask -Xml. The task runs pwsh (or Windows PowerShell) as
    SYSTEM, or as -Credential, importing this very module by path and running
    Invoke-CMSoftwareUpdateSync -SiteCode <SiteCode>. An existing task of the same name is
    replaced. The site needs a sync schedule first (Set-CMSoftwareUpdatePointComponent -Schedule).

    The task runs with the machine's environment: SUPSYNC_HOME, SUPSYNC_HOST and SUPSYNC_NODE set
    only in this session do not reach it (a warning says so).

    Task Scheduler is Windows-only; elsewhere use supsync schedule systemd or schedule crontab.
    -WhatIf shows the task XML.

    .PARAMETER SiteCode
    The site whose sync schedule the task follows, e.g. CS1.

    .PARAMETER Shell
    pwsh (PowerShell 7) or powershell (Windows PowerShell 5.1). Default: the edition running this
    command.

    .PARAMETER TaskName
    The task's name. Default: the host's name for it, SupSync Sync <SiteCode>.

    .PARAMETER Credential
    The account the task runs as (its password is stored by Task Scheduler). Default: SYSTEM.

    .EXAMPLE
    Register-CMSoftwareUpdateSyncTask -SiteCode CS1

    Registers "SupSync Sync CS1", which synchronizes CS1 on its schedule as SYSTEM.

    .EXAMPLE
    Register-CMSoftwareUpdateSyncTask -SiteCode CS1 -Shell powershell -WhatIf

    Shows the task XML for Windows PowerShell 5.1 without registering anything.

    .EXAMPLE
    Register-CMSoftwareUpdateSyncTask -SiteCode CS1 -TaskName 'WSUS sync CS1' -Credential (Get-Credential CONTOSO\svc-sup)

    Registers the task under another name, running as a service account.

    .INPUTS
    System.String: -SiteCode, by property name.

    .OUTPUTS
    Microsoft.Management.Infrastructure.CimInstance#MSFT_ScheduledTask

    .LINK
    Unregister-CMSoftwareUpdateSyncTask

    .LINK
    Set-CMSoftwareUpdatePointComponent

    .LINK
    New-CMSoftwareUpdateSyncSchedule
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium', PositionalBinding = $false)]
    [OutputType('Microsoft.Management.Infrastructure.CimInstance#MSFT_ScheduledTask')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $SiteCode,

        [Parameter()]
        [ValidateSet('pwsh', 'powershell')]
        [string] $Shell,

        [Parameter()]
        [string] $TaskName,

        [Parameter()]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential = [System.Management.Automation.PSCredential]::Empty
    )

    process {
        $taskShell = $Shell
        if (-not $taskShell) {
            if ($PSVersionTable.PSEdition -eq 'Core') { $taskShell = 'pwsh' } else { $taskShell = 'powershell' }
        }
        $manifest = Join-Path -Path $script:SupSyncModuleRoot -ChildPath 'SupSync.psd1'
        $task = @(Invoke-SupSyncHost -Cmdlet $PSCmdlet -Arguments @('schedule', 'task-xml', "--site=$SiteCode", "--shell=$($taskShell.ToLowerInvariant())", "--module-path=$manifest"))
        if ($task.Count -eq 0) { return }
        $task = $task[0]
        $name = $TaskName
        if (-not $name) { $name = [string]$task.TaskName }
        $account = 'SYSTEM'
        if ($Credential -ne [System.Management.Automation.PSCredential]::Empty) { $account = $Credential.UserName }

        $description = "Register the scheduled task '$name' (site $($task.SiteCode), running as $account):" + [Environment]::NewLine + [string]$task.Xml
        if (-not $PSCmdlet.ShouldProcess($description, "Register the scheduled task '$name' for site $($task.SiteCode)?", 'Register-CMSoftwareUpdateSyncTask')) { return }
        if ($null -eq (Get-Command -Name 'Register-ScheduledTask' -ErrorAction SilentlyContinue)) {
            $PSCmdlet.ThrowTerminatingError((New-SupSyncErrorRecord -Message "Task Scheduler is Windows-only and Register-ScheduledTask is not available here; on Linux use: supsync schedule systemd --site $SiteCode (or schedule crontab)." -ErrorId 'TaskSchedulerUnavailable' -Category NotImplemented -Target $SiteCode))
        }
        foreach ($variable in @('SUPSYNC_HOME', 'SUPSYNC_HOST', 'SUPSYNC_NODE')) {
            $session = [Environment]::GetEnvironmentVariable($variable)
            if ($session -and $session -ne [Environment]::GetEnvironmentVariable($variable, 'Machine')) {
                $PSCmdlet.WriteWarning("$variable is '$session' in this session only; the task will not see it. Set it machine-wide: [Environment]::SetEnvironmentVariable('$variable', '$session', 'Machine')")
            }
        }
        $register = @{ Xml = [string]$task.Xml; TaskName = $name; Force = $true }
        if ($Credential -ne [System.Management.Automation.PSCredential]::Empty) {
            $register.User = $Credential.UserName
            $register.Password = $Credential.GetNetworkCredential().Password
        }
        Register-ScheduledTask @register
    }
}

function Unregister-CMSoftwareUpdateSyncTask {
    <#
    .SYNOPSIS
    Removes the Task Scheduler task that Register-CMSoftwareUpdateSyncTask registered for a site.

    .DESCRIPTION
    Unregisters the task named SupSync Sync <SiteCode> (the name supsync schedule task-xml gives
    it), or -TaskName. A missing task is an ObjectNotFound error. Task Scheduler is Windows-only.

    .PARAMETER SiteCode
    The site whose task is removed, e.g. CS1.

    .PARAMETER TaskName
    The task's name, when it was registered under another name.

    .EXAMPLE
    Unregister-CMSoftwareUpdateSyncTask -SiteCode CS1

    Removes the task "SupSync Sync CS1" after confirmation.

    .EXAMPLE
    Unregister-CMSoftwareUpdateSyncTask -SiteCode CS1 -TaskName 'WSUS sync CS1' -Confirm:$false

    Removes a task registered under another name, without asking.

    .INPUTS
    System.String: -SiteCode, by property name.

    .OUTPUTS
    None

    .LINK
    Register-CMSoftwareUpdateSyncTask
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High', PositionalBinding = $false)]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $SiteCode,

        [Parameter()]
        [string] $TaskName
    )

    process {
        $name = $TaskName
        # The name `supsync schedule task-xml` gives the task (SupSync.ScheduledTask's TaskName).
        if (-not $name) { $name = 'SupSync Sync ' + $SiteCode.ToUpperInvariant() }
        if (-not $PSCmdlet.ShouldProcess("scheduled task '$name'", 'Unregister')) { return }
        if ($null -eq (Get-Command -Name 'Unregister-ScheduledTask' -ErrorAction SilentlyContinue)) {
            $PSCmdlet.ThrowTerminatingError((New-SupSyncErrorRecord -Message 'Task Scheduler is Windows-only and Unregister-ScheduledTask is not available here.' -ErrorId 'TaskSchedulerUnavailable' -Category NotImplemented -Target $SiteCode))
        }
        if ($null -eq (Get-ScheduledTask -TaskName $name -ErrorAction SilentlyContinue)) {
            $PSCmdlet.WriteError((New-SupSyncErrorRecord -Message "There is no scheduled task '$name'." -ErrorId 'TaskNotFound' -Category ObjectNotFound -Target $name))
            return
        }
        Unregister-ScheduledTask -TaskName $name -Confirm:$false
    }
}
