# generated — do not edit; run npm run build (scripts/generate-module.ts writes it from the command spec in src/cli/)
#Requires -Version 5.1

# The host is looked up relative to the module; Node.js must be at least the version package.json requires.
$script:SupSyncModuleRoot = $PSScriptRoot
$script:SupSyncMinimumNode = [version]'20.19.0'
# Node.js options the host always runs with (hostNodeOptions in src/cli/node-options.ts).
$script:SupSyncNodeOptions = @('--max-old-space-size=1024')
# The host exits with these codes (ExitCode in src/errors.ts); an exit without an error record becomes this error.
$script:SupSyncExitCodes = @{
    1 = @{ Id = 'InternalError'; Category = 'NotSpecified'; Meaning = 'an unexpected internal error' }
    2 = @{ Id = 'UsageError'; Category = 'InvalidArgument'; Meaning = 'bad usage or an invalid argument value' }
    3 = @{ Id = 'NotFound'; Category = 'ObjectNotFound'; Meaning = 'a named thing does not exist' }
    4 = @{ Id = 'InvalidData'; Category = 'InvalidData'; Meaning = 'stored state is unreadable' }
    5 = @{ Id = 'UpstreamFailed'; Category = 'ConnectionError'; Meaning = 'the upstream server or catalog failed' }
    6 = @{ Id = 'Busy'; Category = 'ResourceBusy'; Meaning = 'another process holds the site' }
    7 = @{ Id = 'PartialFailure'; Category = 'NotSpecified'; Meaning = 'some items succeeded and some failed' }
    8 = @{ Id = 'IoFailed'; Category = 'WriteError'; Meaning = 'the file system refused' }
    9 = @{ Id = 'InvalidOperation'; Category = 'InvalidOperation'; Meaning = 'the operation is not allowed in the current state' }
}
$script:SupSyncPartialExitCode = 7
# A sync request queued behind the running sync: no error.
$script:SupSyncQueuedExitCode = 10

# Handwritten helpers and public functions.
. (Join-Path -Path $PSScriptRoot -ChildPath 'Private/Complete-SupSyncArgument.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'Private/Errors.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'Private/HostLocation.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'Private/Invoke-SupSyncCommand.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'Private/Invoke-SupSyncHost.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'Public/Schedule.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'Public/ScheduledTask.ps1')

function New-CMSite {
    <#
    .SYNOPSIS
    Adds a site to the hierarchy.

    .DESCRIPTION
    Creates a site with its software update point: its directory under the supsync home, the site control file (site.json), the site database (site.db) and its wsyncmgr.log. A central administration site or a primary site without a parent is the top-level site; a child site synchronizes from its parent's software update point.

    Runs the supsync host command: supsync site add

    .PARAMETER SiteCode
    The new site code: exactly 3 letters or digits, stored upper-case.

    .PARAMETER Role
    central (CAS), primary or secondary.
    Valid values (any case): central, primary, secondary.

    .PARAMETER ParentSiteCode
    The parent site code (a primary under a CAS, a secondary under a primary).

    .PARAMETER ParentUrl
    The parent's SUP endpoint URL when the parent lives on another machine.

    .PARAMETER ServerName
    The FQDN of the site's software update point server.

    .PARAMETER Url
    The URL the site's SUP endpoint listens on (for child sites on other machines).

    .PARAMETER Remote
    Record a child site that lives on another machine (with -ParentSiteCode, the local parent, and -Url, the child's endpoint): the parent then notifies it after each sync.

    .PARAMETER SyncRequestSecret
    The credential (8 characters or more) a parent presents when it asks this child site to sync over the network: give the same secret on the child and, with -Remote, on the parent. Without it the child takes no sync requests.
    A SecureString, e.g. (Read-Host -AsSecureString); it reaches the host in its environment, never on a command line.

    .PARAMETER StandAlone
    Add a primary site without a parent although the home has a central administration site: a separate top-level site (its own hierarchy, e.g. a disconnected site or an upstream stand-in).

    .PARAMETER AllowUnauthenticatedSyncRequest
    Let the parent ask this child site to sync without a credential (only on a trusted network).

    .EXAMPLE
    New-CMSite -SiteCode CS1 -Role central

    Creates the central administration site CS1, the top of the hierarchy.

    .EXAMPLE
    New-CMSite -SiteCode PS1 -Role primary -ParentSiteCode CS1

    Adds the primary site PS1 below CS1.

    .EXAMPLE
    New-CMSite -SiteCode SS1 -Role secondary -ParentSiteCode PS1 -ServerName 'ss1.contoso.com'

    Adds a secondary site below PS1.

    .EXAMPLE
    New-CMSite -SiteCode SS2 -Role secondary -ParentSiteCode PS1 -Url 'https://ss2.contoso.com:8531' -Remote

    Records SS2, a secondary on another machine, as a child of PS1.

    .INPUTS
    None

    .OUTPUTS
    SupSync.Site
    SupSync.SitePlan

    .LINK
    Get-CMSite

    .LINK
    Remove-CMSite
    #>
    [CmdletBinding(SupportsShouldProcess = $true, PositionalBinding = $false)]
    [OutputType('SupSync.Site', 'SupSync.SitePlan')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [string] $SiteCode,

        [Parameter(Mandatory = $true)]
        [ValidateSet('central', 'primary', 'secondary')]
        [string] $Role,

        [Parameter()]
        [string] $ParentSiteCode,

        [Parameter()]
        [string] $ParentUrl,

        [Parameter()]
        [string] $ServerName,

        [Parameter()]
        [string] $Url,

        [Parameter()]
        [switch] $Remote,

        [Parameter()]
        [securestring] $SyncRequestSecret,

        [Parameter()]
        [switch] $StandAlone,

        [Parameter()]
        [switch] $AllowUnauthenticatedSyncRequest
    )

    begin {
        $supsyncCommand = @{
            Id = 'site.add'
            Words = @('site', 'add')
            Action = 'Adds a site to the hierarchy'
            Target = 'SiteCode'
            ChangesState = $true
            HostWhatIf = $true
            Batch = $null
            Parameters = [ordered]@{
                'SiteCode' = @{ Flag = 'code'; Type = 'string' }
                'Role' = @{ Flag = 'role'; Type = 'string'; Choices = @('central', 'primary', 'secondary') }
                'ParentSiteCode' = @{ Flag = 'parent'; Type = 'string' }
                'ParentUrl' = @{ Flag = 'parent-url'; Type = 'string' }
                'ServerName' = @{ Flag = 'server-name'; Type = 'string' }
                'Url' = @{ Flag = 'url'; Type = 'string' }
                'Remote' = @{ Flag = 'remote'; Type = 'switch' }
                'SyncRequestSecret' = @{ Flag = 'sync-request-secret'; Type = 'secret' }
                'StandAlone' = @{ Flag = 'stand-alone'; Type = 'switch' }
                'AllowUnauthenticatedSyncRequest' = @{ Flag = 'allow-unauthenticated-sync-requests'; Type = 'switch' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Get-CMSite {
    <#
    .SYNOPSIS
    Lists the sites of this supsync home.

    .DESCRIPTION
    Lists each site with its role, parent, children, software update point server and sync source.

    Runs the supsync host command: supsync site list

    .PARAMETER SiteCode
    Only this site (wildcards * and ? allowed).

    .PARAMETER Name
    Only sites whose code or software update point server name matches (wildcards allowed); ConfigMgr's site name.

    .PARAMETER DisableWildcardHandling
    ConfigMgr: treat wildcard characters literally. SupSync always expands * and ? in -Name-like filters.
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER ForceWildcardHandling
    ConfigMgr: process wildcard characters. SupSync always does where a parameter takes them.
    Accepted for compatibility with the ConfigMgr cmdlet; it changes nothing here.

    .EXAMPLE
    Get-CMSite

    Lists every site.

    .EXAMPLE
    Get-CMSite | Where-Object Role -eq 'primary'

    Lists the primary sites.

    .EXAMPLE
    Get-CMSite -SiteCode PS*

    Lists the sites whose code starts with PS.

    .INPUTS
    None

    .OUTPUTS
    SupSync.Site

    .LINK
    New-CMSite

    .LINK
    Remove-CMSite
    #>
    [CmdletBinding(PositionalBinding = $false)]
    [OutputType('SupSync.Site')]
    param(
        [Parameter(Position = 0)]
        [string] $SiteCode,

        [Parameter()]
        [Alias('SiteName')]
        [string] $Name,

        [Parameter()]
        [switch] $DisableWildcardHandling,

        [Parameter()]
        [switch] $ForceWildcardHandling
    )

    begin {
        $supsyncCommand = @{
            Id = 'site.list'
            Words = @('site', 'list')
            Action = 'Lists the sites of this supsync home'
            Target = 'SiteCode'
            ChangesState = $false
            HostWhatIf = $false
            Batch = $null
            Parameters = [ordered]@{
                'SiteCode' = @{ Flag = 'code'; Type = 'string' }
                'Name' = @{ Flag = 'name'; Type = 'string' }
                'DisableWildcardHandling' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: treat wildcard characters literally. SupSync always expands * and ? in -Name-like filters.' }
                'ForceWildcardHandling' = @{ Flag = ''; Type = 'accept' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Remove-CMSite {
    <#
    .SYNOPSIS
    Removes a site that has no child sites.

    .DESCRIPTION
    Deletes the site directory with its settings, database and logs. Refused while child sites exist.

    Runs the supsync host command: supsync site remove

    .PARAMETER SiteCode
    The site code to remove.

    .EXAMPLE
    Remove-CMSite -SiteCode SS1 -WhatIf

    Shows what would be removed.

    .EXAMPLE
    Remove-CMSite -SiteCode SS1

    Removes the secondary site SS1 after confirmation.

    .INPUTS
    System.String: -SiteCode, by property name.

    .OUTPUTS
    SupSync.Site

    .LINK
    New-CMSite

    .LINK
    Get-CMSite
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High', PositionalBinding = $false)]
    [OutputType('SupSync.Site')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $SiteCode
    )

    begin {
        $supsyncCommand = @{
            Id = 'site.remove'
            Words = @('site', 'remove')
            Action = 'Removes a site that has no child sites'
            Target = 'SiteCode'
            ChangesState = $true
            HostWhatIf = $true
            Batch = $null
            Parameters = [ordered]@{
                'SiteCode' = @{ Flag = 'code'; Type = 'string' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Get-CMSoftwareUpdatePointComponent {
    <#
    .SYNOPSIS
    Gets a site's software update point component settings.

    .DESCRIPTION
    Shows the sync source, schedule, products, classifications, languages, supersedence rules, alerts and proxy (the password is never shown).

    Runs the supsync host command: supsync sup get

    .PARAMETER SiteCode
    The site code (3 characters), e.g. CS1.
    Optional: left out, it is the home's top-level site (-Verbose says which), as ConfigMgr takes the site from the site drive.

    .PARAMETER SiteSystemServerName
    The software update point's server name (FQDN) instead of the site code.

    .PARAMETER WsusSyncManager
    ConfigMgr: get the WSUS synchronization manager component instead; here it is the same record.
    Accepted for compatibility with the ConfigMgr cmdlet; it changes nothing here.

    .PARAMETER DisableWildcardHandling
    ConfigMgr: treat wildcard characters literally. This cmdlet takes no wildcards.
    Accepted for compatibility with the ConfigMgr cmdlet; it changes nothing here.

    .PARAMETER ForceWildcardHandling
    ConfigMgr: process wildcard characters. SupSync always does where a parameter takes them.
    Accepted for compatibility with the ConfigMgr cmdlet; it changes nothing here.

    .EXAMPLE
    Get-CMSoftwareUpdatePointComponent -SiteCode CS1

    Shows the SUP settings of CS1.

    .EXAMPLE
    (Get-CMSoftwareUpdatePointComponent -SiteCode CS1).Products

    Lists the synchronized products.

    .EXAMPLE
    Get-CMSoftwareUpdatePointComponent

    Shows the SUP settings of the top-level site.

    .INPUTS
    System.String: -SiteCode, by property name.

    .OUTPUTS
    SupSync.SupComponent

    .LINK
    Set-CMSoftwareUpdatePointComponent

    .LINK
    Get-CMSoftwareUpdate
    #>
    [CmdletBinding(DefaultParameterSetName = 'BySiteCode', PositionalBinding = $false)]
    [OutputType('SupSync.SupComponent')]
    param(
        [Parameter(ParameterSetName = 'BySiteCode', Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $SiteCode,

        [Parameter(ParameterSetName = 'ByServerName')]
        [Alias('Name')]
        [string] $SiteSystemServerName,

        [Parameter()]
        [switch] $WsusSyncManager,

        [Parameter()]
        [switch] $DisableWildcardHandling,

        [Parameter()]
        [switch] $ForceWildcardHandling
    )

    begin {
        $supsyncCommand = @{
            Id = 'sup.get'
            Words = @('sup', 'get')
            Action = 'Gets a site''s software update point component settings'
            Target = 'SiteCode'
            ChangesState = $false
            HostWhatIf = $false
            Batch = $null
            Parameters = [ordered]@{
                'SiteCode' = @{ Flag = 'site'; Type = 'string'; DefaultTopLevel = $true }
                'SiteSystemServerName' = @{ Flag = 'server-name'; Type = 'string' }
                'WsusSyncManager' = @{ Flag = ''; Type = 'accept' }
                'DisableWildcardHandling' = @{ Flag = ''; Type = 'accept' }
                'ForceWildcardHandling' = @{ Flag = ''; Type = 'accept' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Set-CMSoftwareUpdatePointComponent {
    <#
    .SYNOPSIS
    Changes a site's software update point component settings.

    .DESCRIPTION
    Changes the sync source, products, classifications, languages, supersedence rules, alerts and proxy, with Configuration Manager's rules: everything but the proxy and alerts is set on the top-level site only, and a child site always synchronizes from its parent. Add/Remove lists are idempotent. Changing supersedence rules makes the next sync a full sync.

    Runs the supsync host command: supsync sup set

    .PARAMETER SiteCode
    The site code (3 characters), e.g. CS1.
    Optional: left out, it is the home's top-level site (-Verbose says which), as ConfigMgr takes the site from the site drive.

    .PARAMETER Name
    The software update point's server name (FQDN) instead of the site code.

    .PARAMETER SynchronizeAction
    The sync source in Configuration Manager's words.
    Valid values (any case): SynchronizeFromMicrosoftUpdate, SynchronizeFromAnUpstreamDataSourceLocation, DoNotSynchronizeFromMicrosoftUpdateOrUpstreamDataSource.

    .PARAMETER UpstreamSourceLocation
    The upstream WSUS or SUP, e.g. https://wsus.contoso.com:8531.

    .PARAMETER AddProduct
    Products to synchronize, by title or GUID.

    .PARAMETER RemoveProduct
    Products to stop synchronizing.

    .PARAMETER AddUpdateClassification
    Update classifications to synchronize, by title or GUID.

    .PARAMETER RemoveUpdateClassification
    Update classifications to stop synchronizing.

    .PARAMETER AddLanguage
    Languages for both update files and summary details (e.g. en, de, fr).

    .PARAMETER RemoveLanguage
    Languages to remove from both lists.

    .PARAMETER AddLanguageUpdateFile
    Languages of update files to download.

    .PARAMETER RemoveLanguageUpdateFile
    Languages of update files to stop downloading.

    .PARAMETER AddLanguageSummaryDetail
    Languages of summary details (titles, descriptions) to keep.

    .PARAMETER RemoveLanguageSummaryDetail
    Languages of summary details to drop.

    .PARAMETER ImmediatelyExpireSupersedence
    Expire a superseded update at once (true) or after -WaitMonth (false).

    .PARAMETER WaitMonth
    Months to wait before a superseded update expires (1-99).

    .PARAMETER ImmediatelyExpireSupersedenceForFeature
    The same rule for feature updates.

    .PARAMETER WaitMonthForFeature
    Months to wait before a superseded feature update expires.

    .PARAMETER EnableSyncFailureAlert
    Raise an alert when a sync fails.

    .PARAMETER EnableCallWsusCleanupWizard
    Run the WSUS cleanup (expired update removal) after syncs.

    .PARAMETER ProxyUrl
    Proxy URL for the SUP (credentials may be given separately).

    .PARAMETER ProxyUserName
    Proxy account name.

    .PARAMETER ProxyPassword
    Proxy password (stored, never shown).
    A SecureString, e.g. (Read-Host -AsSecureString); it reaches the host in its environment, never on a command line.

    .PARAMETER NoProxy
    Remove the proxy setting.

    .PARAMETER CaFile
    PEM bundle of certificate authorities the site's SUP trusts besides the operating system's (e.g. Microsoft Root Certificate Authority 2011 on Windows, where Node cannot read the machine store).
    A relative path or a PowerShell drive path is resolved against the current location.

    .PARAMETER NoCaFile
    Remove the CA bundle setting.

    .PARAMETER MaxRequestsInFlight
    The most update data requests a sync keeps in flight to its upstream (1-64, default 16): what the upstream can bear. A sync starts with 2, grows while throughput rises, and halves on ServerBusy or a 5xx answer.

    .PARAMETER Schedule
    ConfigMgr's 16-hex-digit schedule string (New-CMSchedule's ScheduleString).
    Takes a schedule from New-CMSoftwareUpdateSyncSchedule or a schedule string; $null turns scheduled synchronization off.

    .PARAMETER PassThru
    Return the changed settings.

    .PARAMETER ContentFileOption
    How update files are downloaded (ConfigMgr ContentFileOptions). Stored and shown by Get-CMSoftwareUpdatePointComponent; SupSync does nothing with it (a warning says so).
    Valid values (any case): FullFilesOnly, ExpressForWindows10Only.

    .PARAMETER DefaultWsusServer
    The FQDN of the WSUS server. Stored and shown by Get-CMSoftwareUpdatePointComponent; SupSync does nothing with it (a warning says so).

    .PARAMETER EnableManualCertManagement
    Manage the WSUS signing certificate for third-party updates by hand. Stored and shown by Get-CMSoftwareUpdatePointComponent; SupSync does nothing with it (a warning says so).

    .PARAMETER EnableThirdPartyUpdates
    Enable third-party software updates. Stored and shown by Get-CMSoftwareUpdatePointComponent; SupSync does nothing with it (a warning says so).

    .PARAMETER FeatureUpdateMaxRuntimeMins
    Default maximum run time of a feature update installation, in minutes. Stored and shown by Get-CMSoftwareUpdatePointComponent; SupSync does nothing with it (a warning says so).

    .PARAMETER NonFeatureUpdateMaxRuntimeMins
    Default maximum run time of other update installations, in minutes. Stored and shown by Get-CMSoftwareUpdatePointComponent; SupSync does nothing with it (a warning says so).

    .PARAMETER ReportingEvent
    Which WSUS reporting events clients create. Stored and shown by Get-CMSoftwareUpdatePointComponent; SupSync does nothing with it (a warning says so).
    Valid values (any case): CreateAllWsusReportingEvents, CreateOnlyWsusStatusReportingEvents, DoNotCreateWsusReportingEvents.

    .PARAMETER InputObject
    A software update point component (Get-CMSoftwareUpdatePointComponent's output, or any object with a SiteCode) to configure.

    .PARAMETER AddCompany
    ConfigMgr: synchronize every product of a company. Not supported: add the company's products with -AddProduct.
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER RemoveCompany
    ConfigMgr: stop synchronizing the products of a company. Not supported: use -RemoveProduct.
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER AddProductFamily
    ConfigMgr: synchronize every product of a product family. Not supported: add the family's products with -AddProduct.
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER RemoveProductFamily
    ConfigMgr: stop synchronizing the products of a family. Not supported: use -RemoveProduct.
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER DisableWildcardHandling
    ConfigMgr: treat wildcard characters literally. This cmdlet takes no wildcards.
    Accepted for compatibility with the ConfigMgr cmdlet; it changes nothing here.

    .PARAMETER ForceWildcardHandling
    ConfigMgr: process wildcard characters. SupSync always does where a parameter takes them.
    Accepted for compatibility with the ConfigMgr cmdlet; it changes nothing here.

    .EXAMPLE
    Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -AddProduct 'Windows 11' -AddUpdateClassification 'Security Updates','Critical Updates'

    Synchronizes Windows 11 security and critical updates.

    .EXAMPLE
    Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -SynchronizeAction SynchronizeFromAnUpstreamDataSourceLocation -UpstreamSourceLocation 'https://wsus.contoso.com:8531'

    Synchronizes from an upstream WSUS server.

    .EXAMPLE
    Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -ImmediatelyExpireSupersedence $false -WaitMonth 2 -WhatIf

    Shows the change; the next sync would be a full sync.

    .EXAMPLE
    Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -AddLanguageSummaryDetail de -PassThru

    Adds German summary details and returns the new settings.

    .EXAMPLE
    $weekly = New-CMSoftwareUpdateSyncSchedule -DayOfWeek Sunday -RecurCount 1 -Start '2026-11-29T02:00'
    Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -Schedule $weekly

    Synchronizes every Sunday at 2:00 AM local time.

    .EXAMPLE
    Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -Schedule $null

    Turns scheduled synchronization off.

    .EXAMPLE
    Set-CMSoftwareUpdatePointComponent -Schedule (New-CMSchedule -RecurInterval Days -RecurCount 7) -EnableThirdPartyUpdates $false

    ConfigMgr's own syntax: the top-level site syncs every 7 days (the third-party setting is stored; a warning says it changes nothing here).

    .EXAMPLE
    Get-CMSoftwareUpdatePointComponent -SiteCode CS1 | Set-CMSoftwareUpdatePointComponent -WaitMonth 3 -PassThru

    Configures the component piped in (-InputObject).

    .INPUTS
    System.String: -SiteCode, by property name.
    System.Object: -InputObject, by value (also Site, SiteComponent).

    .OUTPUTS
    SupSync.SupComponent
    SupSync.SupChangePlan

    .LINK
    Get-CMSoftwareUpdatePointComponent

    .LINK
    Get-CMSoftwareUpdate
    #>
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'SearchBySiteCodeMandatory', PositionalBinding = $false)]
    [OutputType('SupSync.SupComponent', 'SupSync.SupChangePlan')]
    param(
        [Parameter(ParameterSetName = 'SearchBySiteCodeMandatory', Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $SiteCode,

        [Parameter(ParameterSetName = 'SearchByNameMandatory')]
        [Alias('SiteName')]
        [string] $Name,

        [Parameter()]
        [ValidateSet('SynchronizeFromMicrosoftUpdate', 'SynchronizeFromAnUpstreamDataSourceLocation', 'DoNotSynchronizeFromMicrosoftUpdateOrUpstreamDataSource')]
        [string] $SynchronizeAction,

        [Parameter()]
        [string] $UpstreamSourceLocation,

        [Parameter()]
        [Alias('AddProducts')]
        [string[]] $AddProduct,

        [Parameter()]
        [Alias('RemoveProducts')]
        [string[]] $RemoveProduct,

        [Parameter()]
        [string[]] $AddUpdateClassification,

        [Parameter()]
        [string[]] $RemoveUpdateClassification,

        [Parameter()]
        [string[]] $AddLanguage,

        [Parameter()]
        [string[]] $RemoveLanguage,

        [Parameter()]
        [string[]] $AddLanguageUpdateFile,

        [Parameter()]
        [string[]] $RemoveLanguageUpdateFile,

        [Parameter()]
        [Alias('AddLanguageSummaryDetails')]
        [string[]] $AddLanguageSummaryDetail,

        [Parameter()]
        [Alias('RemoveLanguageSummaryDetails')]
        [string[]] $RemoveLanguageSummaryDetail,

        [Parameter()]
        [Alias('ImmediatelyExpireSupersedenceForNonFeature')]
        [bool] $ImmediatelyExpireSupersedence,

        [Parameter()]
        [Alias('WaitMonthForNonFeature')]
        [int] $WaitMonth,

        [Parameter()]
        [bool] $ImmediatelyExpireSupersedenceForFeature,

        [Parameter()]
        [int] $WaitMonthForFeature,

        [Parameter()]
        [bool] $EnableSyncFailureAlert,

        [Parameter()]
        [bool] $EnableCallWsusCleanupWizard,

        [Parameter()]
        [string] $ProxyUrl,

        [Parameter()]
        [string] $ProxyUserName,

        [Parameter()]
        [securestring] $ProxyPassword,

        [Parameter()]
        [switch] $NoProxy,

        [Parameter()]
        [string] $CaFile,

        [Parameter()]
        [switch] $NoCaFile,

        [Parameter()]
        [int] $MaxRequestsInFlight,

        [Parameter()]
        [object] $Schedule,

        [Parameter()]
        [switch] $PassThru,

        [Parameter()]
        [ValidateSet('FullFilesOnly', 'ExpressForWindows10Only')]
        [string] $ContentFileOption,

        [Parameter()]
        [string] $DefaultWsusServer,

        [Parameter()]
        [bool] $EnableManualCertManagement,

        [Parameter()]
        [bool] $EnableThirdPartyUpdates,

        [Parameter()]
        [int] $FeatureUpdateMaxRuntimeMins,

        [Parameter()]
        [int] $NonFeatureUpdateMaxRuntimeMins,

        [Parameter()]
        [ValidateSet('CreateAllWsusReportingEvents', 'CreateOnlyWsusStatusReportingEvents', 'DoNotCreateWsusReportingEvents')]
        [string] $ReportingEvent,

        [Parameter(ParameterSetName = 'SearchByValueMandatory', Mandatory = $true, ValueFromPipeline = $true)]
        [Alias('Site', 'SiteComponent')]
        [AllowNull()]
        [object] $InputObject,

        [Parameter()]
        [Alias('AddCompanies')]
        [string[]] $AddCompany,

        [Parameter()]
        [Alias('RemoveCompanies')]
        [string[]] $RemoveCompany,

        [Parameter()]
        [Alias('AddProductFamilies')]
        [string[]] $AddProductFamily,

        [Parameter()]
        [Alias('RemoveProductFamilies')]
        [string[]] $RemoveProductFamily,

        [Parameter()]
        [switch] $DisableWildcardHandling,

        [Parameter()]
        [switch] $ForceWildcardHandling
    )

    begin {
        $supsyncCommand = @{
            Id = 'sup.set'
            Words = @('sup', 'set')
            Action = 'Changes a site''s software update point component settings'
            Target = 'SiteCode'
            ChangesState = $true
            HostWhatIf = $true
            Batch = $null
            Parameters = [ordered]@{
                'SiteCode' = @{ Flag = 'site'; Type = 'string'; DefaultTopLevel = $true }
                'Name' = @{ Flag = 'server-name'; Type = 'string' }
                'SynchronizeAction' = @{ Flag = 'synchronize-action'; Type = 'string'; Choices = @('SynchronizeFromMicrosoftUpdate', 'SynchronizeFromAnUpstreamDataSourceLocation', 'DoNotSynchronizeFromMicrosoftUpdateOrUpstreamDataSource') }
                'UpstreamSourceLocation' = @{ Flag = 'upstream-url'; Type = 'string' }
                'AddProduct' = @{ Flag = 'add-product'; Type = 'string[]' }
                'RemoveProduct' = @{ Flag = 'remove-product'; Type = 'string[]' }
                'AddUpdateClassification' = @{ Flag = 'add-classification'; Type = 'string[]' }
                'RemoveUpdateClassification' = @{ Flag = 'remove-classification'; Type = 'string[]' }
                'AddLanguage' = @{ Flag = 'add-language'; Type = 'string[]' }
                'RemoveLanguage' = @{ Flag = 'remove-language'; Type = 'string[]' }
                'AddLanguageUpdateFile' = @{ Flag = 'add-language-update-file'; Type = 'string[]' }
                'RemoveLanguageUpdateFile' = @{ Flag = 'remove-language-update-file'; Type = 'string[]' }
                'AddLanguageSummaryDetail' = @{ Flag = 'add-language-summary-detail'; Type = 'string[]' }
                'RemoveLanguageSummaryDetail' = @{ Flag = 'remove-language-summary-detail'; Type = 'string[]' }
                'ImmediatelyExpireSupersedence' = @{ Flag = 'immediately-expire-supersedence'; Type = 'boolean' }
                'WaitMonth' = @{ Flag = 'wait-months'; Type = 'number' }
                'ImmediatelyExpireSupersedenceForFeature' = @{ Flag = 'immediately-expire-supersedence-for-feature'; Type = 'boolean' }
                'WaitMonthForFeature' = @{ Flag = 'wait-months-for-feature'; Type = 'number' }
                'EnableSyncFailureAlert' = @{ Flag = 'enable-sync-failure-alert'; Type = 'boolean' }
                'EnableCallWsusCleanupWizard' = @{ Flag = 'enable-call-wsus-cleanup-wizard'; Type = 'boolean' }
                'ProxyUrl' = @{ Flag = 'proxy'; Type = 'string' }
                'ProxyUserName' = @{ Flag = 'proxy-username'; Type = 'string' }
                'ProxyPassword' = @{ Flag = 'proxy-password'; Type = 'secret' }
                'NoProxy' = @{ Flag = 'no-proxy'; Type = 'switch' }
                'CaFile' = @{ Flag = 'ca-file'; Type = 'path' }
                'NoCaFile' = @{ Flag = 'no-ca-file'; Type = 'switch' }
                'MaxRequestsInFlight' = @{ Flag = 'max-requests-in-flight'; Type = 'number' }
                'Schedule' = @{ Flag = 'schedule-string'; Type = 'schedule'; NullFlag = 'no-schedule' }
                'PassThru' = @{ Flag = 'pass-thru'; Type = 'switch' }
                'ContentFileOption' = @{ Flag = 'content-file-option'; Type = 'string'; Choices = @('FullFilesOnly', 'ExpressForWindows10Only') }
                'DefaultWsusServer' = @{ Flag = 'default-wsus-server'; Type = 'string' }
                'EnableManualCertManagement' = @{ Flag = 'enable-manual-cert-management'; Type = 'boolean' }
                'EnableThirdPartyUpdates' = @{ Flag = 'enable-third-party-updates'; Type = 'boolean' }
                'FeatureUpdateMaxRuntimeMins' = @{ Flag = 'feature-update-max-runtime-mins'; Type = 'number' }
                'NonFeatureUpdateMaxRuntimeMins' = @{ Flag = 'non-feature-update-max-runtime-mins'; Type = 'number' }
                'ReportingEvent' = @{ Flag = 'reporting-event'; Type = 'string'; Choices = @('CreateAllWsusReportingEvents', 'CreateOnlyWsusStatusReportingEvents', 'DoNotCreateWsusReportingEvents') }
                'InputObject' = @{ Flag = 'site'; Type = 'siteObject' }
                'AddCompany' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: synchronize every product of a company. Not supported: add the company''s products with -AddProduct.' }
                'RemoveCompany' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: stop synchronizing the products of a company. Not supported: use -RemoveProduct.' }
                'AddProductFamily' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: synchronize every product of a product family. Not supported: add the family''s products with -AddProduct.' }
                'RemoveProductFamily' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: stop synchronizing the products of a family. Not supported: use -RemoveProduct.' }
                'DisableWildcardHandling' = @{ Flag = ''; Type = 'accept' }
                'ForceWildcardHandling' = @{ Flag = ''; Type = 'accept' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Get-CMSoftwareUpdateSyncStatus {
    <#
    .SYNOPSIS
    Gets the synchronization status of each software update point.

    .DESCRIPTION
    One record per SUP with the Get-CMSoftwareUpdateSyncStatus fields (WSUSServerName, SiteCode, WSUSSourceServer, SyncCatalogVersion, LastSuccessfulSyncTime, LastSyncState, LastSyncStateTime, LastSyncErrorCode, ReplicationLinkStatus, LastReplicationLinkCheckTime), a truthful one-line state and each child's catalog-version lag behind its parent.

    Runs the supsync host command: supsync status

    .PARAMETER SiteCode
    Only this site (default: every site).

    .PARAMETER DisableWildcardHandling
    ConfigMgr: treat wildcard characters literally. This cmdlet takes no wildcards.
    Accepted for compatibility with the ConfigMgr cmdlet; it changes nothing here.

    .PARAMETER ForceWildcardHandling
    ConfigMgr: process wildcard characters. SupSync always does where a parameter takes them.
    Accepted for compatibility with the ConfigMgr cmdlet; it changes nothing here.

    .EXAMPLE
    Get-CMSoftwareUpdateSyncStatus

    Shows the status of every software update point.

    .EXAMPLE
    Get-CMSoftwareUpdateSyncStatus -SiteCode PS1 | Format-List *

    Shows every field for PS1.

    .INPUTS
    System.String: -SiteCode, by property name.

    .OUTPUTS
    SupSync.SyncStatus

    .LINK
    Invoke-CMSoftwareUpdateSync

    .LINK
    Get-CMSoftwareUpdate
    #>
    [CmdletBinding(PositionalBinding = $false)]
    [OutputType('SupSync.SyncStatus')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $SiteCode,

        [Parameter()]
        [switch] $DisableWildcardHandling,

        [Parameter()]
        [switch] $ForceWildcardHandling
    )

    begin {
        $supsyncCommand = @{
            Id = 'status'
            Words = @('status')
            Action = 'Gets the synchronization status of each software update point'
            Target = 'SiteCode'
            ChangesState = $false
            HostWhatIf = $false
            Batch = $null
            Parameters = [ordered]@{
                'SiteCode' = @{ Flag = 'site'; Type = 'string' }
                'DisableWildcardHandling' = @{ Flag = ''; Type = 'accept' }
                'ForceWildcardHandling' = @{ Flag = ''; Type = 'accept' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Invoke-CMSoftwareUpdateSync {
    <#
    .SYNOPSIS
    Synchronizes a site's software update point, then its child sites.

    .DESCRIPTION
    Runs a synchronization of the site: categories, then updates for the selected products and classifications from the sync source (an upstream server, Microsoft Update, or for a child site its parent), supersedence and expiry, cleanup. Status messages 6701-6705 and wsyncmgr.log tell the story. After success each child site is asked to sync from its parent. A sync killed at any point resumes from what it stored; a full sync that was killed or failed is finished by the next sync, full again. When the site is already synchronizing, the request is queued behind the running run (at most one waits; a queued full request stays full) and the running process runs it when that finishes: the result has State Queued and QueuedBehindRun, and the command exits with code 10, which is not an error (PowerShell writes no error). A site held by an import or a removal refuses the request with SiteBusy (a Busy error). With -WhatIf, shows per product and classification what would change, writing nothing.

    Runs the supsync host command: supsync sync

    .PARAMETER SiteCode
    The site code (3 characters), e.g. CS1.
    Optional: left out, it is the home's top-level site (-Verbose says which), as ConfigMgr takes the site from the site drive.

    .PARAMETER FullSync
    Re-process all metadata (no anchors); updates the upstream no longer lists expire. A [bool] as in ConfigMgr: -FullSync $true.

    .PARAMETER Wait
    Return only when the whole cascade below the site has finished, with one result per site.

    .PARAMETER Trigger
    Why the sync runs (recorded in the history and the log; scheduled tasks pass schedule).
    Valid values (any case): manual, schedule, parent.

    .PARAMETER DisableWildcardHandling
    ConfigMgr: treat wildcard characters literally. This cmdlet takes no wildcards.
    Accepted for compatibility with the ConfigMgr cmdlet; it changes nothing here.

    .PARAMETER ForceWildcardHandling
    ConfigMgr: process wildcard characters. SupSync always does where a parameter takes them.
    Accepted for compatibility with the ConfigMgr cmdlet; it changes nothing here.

    .EXAMPLE
    Invoke-CMSoftwareUpdateSync -SiteCode CS1

    Starts a delta sync of CS1; child sites are asked to sync after it.

    .EXAMPLE
    Invoke-CMSoftwareUpdateSync -SiteCode CS1 -FullSync $true -Wait

    Runs a full sync and waits for the whole hierarchy below CS1, one result per site.

    .EXAMPLE
    Invoke-CMSoftwareUpdateSync -SiteCode CS1 -WhatIf

    Shows what a sync would change per product and classification, changing nothing.

    .EXAMPLE
    Sync-CMSoftwareUpdate -FullSync $false

    ConfigMgr's own syntax: a delta sync of the top-level site (-Verbose names it).

    .INPUTS
    System.String: -SiteCode, by property name.

    .OUTPUTS
    SupSync.SyncResult
    SupSync.SyncPlan
    SupSync.SyncPlanSummary

    .LINK
    Get-CMSoftwareUpdateSyncStatus

    .LINK
    Get-CMSoftwareUpdateSyncHistory

    .LINK
    Get-CMSoftwareUpdate

    .LINK
    New-CMSoftwareUpdateSyncSchedule
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium', PositionalBinding = $false)]
    [Alias('Sync-CMSoftwareUpdate')]
    [OutputType('SupSync.SyncResult', 'SupSync.SyncPlan', 'SupSync.SyncPlanSummary')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $SiteCode,

        [Parameter()]
        [bool] $FullSync,

        [Parameter()]
        [switch] $Wait,

        [Parameter()]
        [ValidateSet('manual', 'schedule', 'parent')]
        [string] $Trigger,

        [Parameter()]
        [switch] $DisableWildcardHandling,

        [Parameter()]
        [switch] $ForceWildcardHandling
    )

    begin {
        $supsyncCommand = @{
            Id = 'sync'
            Words = @('sync')
            Action = 'Synchronizes a site''s software update point, then its child sites'
            Target = 'SiteCode'
            ChangesState = $true
            HostWhatIf = $true
            Batch = $null
            Parameters = [ordered]@{
                'SiteCode' = @{ Flag = 'site'; Type = 'string'; DefaultTopLevel = $true }
                'FullSync' = @{ Flag = 'full'; Type = 'boolean' }
                'Wait' = @{ Flag = 'wait'; Type = 'switch' }
                'Trigger' = @{ Flag = 'trigger'; Type = 'string'; Choices = @('manual', 'schedule', 'parent') }
                'DisableWildcardHandling' = @{ Flag = ''; Type = 'accept' }
                'ForceWildcardHandling' = @{ Flag = ''; Type = 'accept' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Get-CMSoftwareUpdateSyncHistory {
    <#
    .SYNOPSIS
    Lists the sync runs of a site with their counts.

    .DESCRIPTION
    One record per run: trigger, full or delta, start, end, state, error, catalog version, and the counts of new, revised, superseded, expired and removed updates.

    Runs the supsync host command: supsync sync history

    .PARAMETER SiteCode
    The site code (3 characters), e.g. CS1.

    .PARAMETER Last
    Only the last N runs.

    .EXAMPLE
    Get-CMSoftwareUpdateSyncHistory -SiteCode CS1 -Last 5

    Shows the last five sync runs of CS1.

    .EXAMPLE
    Get-CMSoftwareUpdateSyncHistory -SiteCode PS1 | Where-Object State -eq 'failed'

    Shows the failed runs of PS1.

    .INPUTS
    System.String: -SiteCode, by property name.

    .OUTPUTS
    SupSync.SyncRun

    .LINK
    Invoke-CMSoftwareUpdateSync

    .LINK
    Get-CMSoftwareUpdate
    #>
    [CmdletBinding(PositionalBinding = $false)]
    [OutputType('SupSync.SyncRun')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $SiteCode,

        [Parameter()]
        [int] $Last
    )

    begin {
        $supsyncCommand = @{
            Id = 'sync.history'
            Words = @('sync', 'history')
            Action = 'Lists the sync runs of a site with their counts'
            Target = 'SiteCode'
            ChangesState = $false
            HostWhatIf = $false
            Batch = $null
            Parameters = [ordered]@{
                'SiteCode' = @{ Flag = 'site'; Type = 'string' }
                'Last' = @{ Flag = 'last'; Type = 'number' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Get-CMSoftwareUpdate {
    <#
    .SYNOPSIS
    Queries the updates in a site database.

    .DESCRIPTION
    Lists updates with their KB, classification, products, severity, dates and state, with SMS_SoftwareUpdate's property names too (LocalizedDisplayName, ArticleID, CI_UniqueID, DatePosted, DateRevised, IsSuperseded, IsExpired, Severity); filters combine. Expired updates are left out unless -IncludeExpired, -IsExpired or -OnlyExpired asks for them.

    Runs the supsync host command: supsync update list

    .PARAMETER SiteCode
    The site code (3 characters), e.g. CS1.
    Optional: left out, it is the home's top-level site (-Verbose says which), as ConfigMgr takes the site from the site drive.

    .PARAMETER ArticleId
    KB article number (with or without "KB"; wildcards * and ? allowed).

    .PARAMETER Product
    Product title or GUID.

    .PARAMETER Classification
    Classification title or GUID.

    .PARAMETER Title
    Text the title contains.

    .PARAMETER Name
    The title, with wildcards * and ? (LocalizedDisplayName).

    .PARAMETER Category
    Categories (products, classifications, families, companies) as Get-CMSoftwareUpdateCategory's records, GUIDs or titles; an update matches if it is in any of them.

    .PARAMETER CategoryName
    Category titles; an update matches if it is in any of them.

    .PARAMETER DatePostedMin
    Released at or after this time (DatePosted).
    A [datetime]: local time unless its Kind is Utc.

    .PARAMETER DatePostedMax
    Released at or before this time.
    A [datetime]: local time unless its Kind is Utc.

    .PARAMETER DateRevisedMin
    Last revised at or after this time (DateRevised).
    A [datetime]: local time unless its Kind is Utc.

    .PARAMETER DateRevisedMax
    Last revised at or before this time.
    A [datetime]: local time unless its Kind is Utc.

    .PARAMETER IsSuperseded
    true: only superseded updates; false: only updates nothing supersedes.

    .PARAMETER IsExpired
    true: only expired updates; false: only live ones.

    .PARAMETER OnlyExpired
    Only expired updates.

    .PARAMETER Severity
    MSRC severity (ConfigMgr CustomSeverityType).
    Valid values (any case): None, Low, Moderate, Important, Critical.

    .PARAMETER UpdateId
    One update GUID (CI_UniqueID).

    .PARAMETER IncludeExpired
    Also list expired updates.

    .PARAMETER First
    At most this many records.

    .PARAMETER Fast
    ConfigMgr: skip lazy properties. SupSync records have none; every property is always there.
    Accepted for compatibility with the ConfigMgr cmdlet; it changes nothing here.

    .PARAMETER Id
    ConfigMgr: the update's CI_ID. SupSync has no configuration item IDs; use -UpdateId (CI_UniqueID).
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER UpdateGroup
    ConfigMgr: the updates of a software update group. SupSync has no update groups (deployments).
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER UpdateGroupId
    ConfigMgr: update group IDs. SupSync has no update groups (deployments).
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER UpdateGroupName
    ConfigMgr: update group names. SupSync has no update groups (deployments).
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER IsDeployed
    ConfigMgr: whether the update is deployed. SupSync does not deploy updates.
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER IsContentProvisioned
    ConfigMgr: whether the content is downloaded to the site. SupSync does not provision content.
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER BulletinId
    ConfigMgr: the MSRC bulletin ID. SupSync does not store bulletin IDs.
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER EulaExist
    ConfigMgr: whether the update has a license agreement. SupSync does not track EULAs.
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER IncludeUpgrade
    ConfigMgr: include feature upgrades. SupSync lists upgrades like any update; filter with -Classification Upgrades.
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER IsLatest
    ConfigMgr: whether this is the latest revision. SupSync keeps only the latest revision; use -IsSuperseded for the latest update of a chain.
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER IsOfflineServiceable
    ConfigMgr: whether the update can be applied to an offline image. Not tracked by SupSync.
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER IsUserDefined
    ConfigMgr: whether the update is user-defined. Not tracked by SupSync.
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER Vendor
    ConfigMgr: the vendor. Not tracked by SupSync (every update comes from the synchronized catalog).
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER DisableWildcardHandling
    ConfigMgr: treat wildcard characters literally. SupSync always expands * and ? in -Name-like filters.
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER ForceWildcardHandling
    ConfigMgr: process wildcard characters. SupSync always does where a parameter takes them.
    Accepted for compatibility with the ConfigMgr cmdlet; it changes nothing here.

    .EXAMPLE
    Get-CMSoftwareUpdate -SiteCode CS1 -ArticleId 5034441

    Finds the update for KB5034441.

    .EXAMPLE
    Get-CMSoftwareUpdate -SiteCode CS1 -Classification 'Security Updates' -Product 'Windows 11' -First 20

    Lists 20 Windows 11 security updates.

    .EXAMPLE
    Get-CMSoftwareUpdate -SiteCode PS1 -IncludeExpired | Where-Object IsExpired

    Lists the expired updates of PS1.

    .EXAMPLE
    Get-CMSoftwareUpdate -Name '*Windows 11*' -IsSuperseded $false

    ConfigMgr's own syntax: the Windows 11 updates of the top-level site that nothing supersedes.

    .EXAMPLE
    Get-CMSoftwareUpdateCategory -TypeName UpdateClassification -Name 'Critical Updates' | Get-CMSoftwareUpdate -DatePostedMin (Get-Date).AddYears(-5)

    The critical updates released in the last five years (one host call for all piped categories).

    .INPUTS
    System.String: -SiteCode, by property name.
    System.Object[]: -Category, by value.
    System.String: -UpdateId, by property name (also Guid, CI_UniqueID).

    .OUTPUTS
    SupSync.Update

    .LINK
    Get-CMSoftwareUpdatePointComponent

    .LINK
    Set-CMSoftwareUpdatePointComponent

    .LINK
    Get-CMSoftwareUpdateSyncStatus

    .LINK
    Invoke-CMSoftwareUpdateSync

    .LINK
    Get-CMSoftwareUpdateSyncHistory

    .LINK
    Get-CMSoftwareUpdateCategory

    .LINK
    Import-CMSoftwareUpdateMetadata

    .LINK
    Export-CMSoftwareUpdateMetadata

    .LINK
    Test-CMSoftwareUpdateUpstream

    .LINK
    New-CMSoftwareUpdateSyncSchedule
    #>
    [CmdletBinding(DefaultParameterSetName = 'SearchByName', PositionalBinding = $false)]
    [OutputType('SupSync.Update')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $SiteCode,

        [Parameter(ParameterSetName = 'SearchByName')]
        [Alias('KB')]
        [string] $ArticleId,

        [Parameter(ParameterSetName = 'SearchByName')]
        [string] $Product,

        [Parameter(ParameterSetName = 'SearchByName')]
        [string] $Classification,

        [Parameter(ParameterSetName = 'SearchByName')]
        [string] $Title,

        [Parameter(ParameterSetName = 'SearchByName')]
        [Alias('LocalizedDisplayName')]
        [string] $Name,

        [Parameter(ParameterSetName = 'SearchByName', ValueFromPipeline = $true)]
        [object[]] $Category,

        [Parameter(ParameterSetName = 'SearchByName')]
        [Alias('CategoryNames')]
        [string[]] $CategoryName,

        [Parameter(ParameterSetName = 'SearchByName')]
        [datetime] $DatePostedMin,

        [Parameter(ParameterSetName = 'SearchByName')]
        [datetime] $DatePostedMax,

        [Parameter(ParameterSetName = 'SearchByName')]
        [datetime] $DateRevisedMin,

        [Parameter(ParameterSetName = 'SearchByName')]
        [datetime] $DateRevisedMax,

        [Parameter(ParameterSetName = 'SearchByName')]
        [bool] $IsSuperseded,

        [Parameter(ParameterSetName = 'SearchByName')]
        [bool] $IsExpired,

        [Parameter(ParameterSetName = 'SearchByName')]
        [switch] $OnlyExpired,

        [Parameter(ParameterSetName = 'SearchByName')]
        [ValidateSet('None', 'Low', 'Moderate', 'Important', 'Critical')]
        [string] $Severity,

        [Parameter(ParameterSetName = 'SearchByName', ValueFromPipelineByPropertyName = $true)]
        [Alias('Guid', 'CI_UniqueID')]
        [string] $UpdateId,

        [Parameter(ParameterSetName = 'SearchByName')]
        [switch] $IncludeExpired,

        [Parameter()]
        [int] $First,

        [Parameter()]
        [switch] $Fast,

        [Parameter(ParameterSetName = 'SearchById', Mandatory = $true)]
        [Alias('CIId', 'CI_ID')]
        [int] $Id,

        [Parameter(ParameterSetName = 'SearchByUpdateGroup', Mandatory = $true)]
        [AllowNull()]
        [object] $UpdateGroup,

        [Parameter(ParameterSetName = 'SearchByUpdateGroupIdMandatory', Mandatory = $true)]
        [string[]] $UpdateGroupId,

        [Parameter(ParameterSetName = 'SearchByUpdateGroupNameMandatory', Mandatory = $true)]
        [string[]] $UpdateGroupName,

        [Parameter(ParameterSetName = 'SearchByName')]
        [bool] $IsDeployed,

        [Parameter(ParameterSetName = 'SearchByName')]
        [bool] $IsContentProvisioned,

        [Parameter(ParameterSetName = 'SearchByName')]
        [string] $BulletinId,

        [Parameter(ParameterSetName = 'SearchByName')]
        [Alias('EulaExists')]
        [bool] $EulaExist,

        [Parameter(ParameterSetName = 'SearchByName')]
        [Alias('IncludeUpgrades')]
        [switch] $IncludeUpgrade,

        [Parameter(ParameterSetName = 'SearchByName')]
        [bool] $IsLatest,

        [Parameter(ParameterSetName = 'SearchByName')]
        [bool] $IsOfflineServiceable,

        [Parameter(ParameterSetName = 'SearchByName')]
        [bool] $IsUserDefined,

        [Parameter(ParameterSetName = 'SearchByName')]
        [string] $Vendor,

        [Parameter()]
        [switch] $DisableWildcardHandling,

        [Parameter()]
        [switch] $ForceWildcardHandling
    )

    begin {
        $supsyncCommand = @{
            Id = 'update.list'
            Words = @('update', 'list')
            Action = 'Queries the updates in a site database'
            Target = 'SiteCode'
            ChangesState = $false
            HostWhatIf = $false
            Batch = @{ Parameters = @('Category'); Size = 250; Chars = 16000 }
            Parameters = [ordered]@{
                'SiteCode' = @{ Flag = 'site'; Type = 'string'; DefaultTopLevel = $true }
                'ArticleId' = @{ Flag = 'kb'; Type = 'string' }
                'Product' = @{ Flag = 'product'; Type = 'string' }
                'Classification' = @{ Flag = 'classification'; Type = 'string' }
                'Title' = @{ Flag = 'title'; Type = 'string' }
                'Name' = @{ Flag = 'name'; Type = 'string' }
                'Category' = @{ Flag = 'category'; Type = 'category' }
                'CategoryName' = @{ Flag = 'category-name'; Type = 'string[]' }
                'DatePostedMin' = @{ Flag = 'date-posted-min'; Type = 'datetime' }
                'DatePostedMax' = @{ Flag = 'date-posted-max'; Type = 'datetime' }
                'DateRevisedMin' = @{ Flag = 'date-revised-min'; Type = 'datetime' }
                'DateRevisedMax' = @{ Flag = 'date-revised-max'; Type = 'datetime' }
                'IsSuperseded' = @{ Flag = 'is-superseded'; Type = 'boolean' }
                'IsExpired' = @{ Flag = 'is-expired'; Type = 'boolean' }
                'OnlyExpired' = @{ Flag = 'only-expired'; Type = 'switch' }
                'Severity' = @{ Flag = 'severity'; Type = 'string'; Choices = @('None', 'Low', 'Moderate', 'Important', 'Critical') }
                'UpdateId' = @{ Flag = 'update-id'; Type = 'string' }
                'IncludeExpired' = @{ Flag = 'include-expired'; Type = 'switch' }
                'First' = @{ Flag = 'limit'; Type = 'number' }
                'Fast' = @{ Flag = ''; Type = 'accept' }
                'Id' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: the update''s CI_ID. SupSync has no configuration item IDs; use -UpdateId (CI_UniqueID).' }
                'UpdateGroup' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: the updates of a software update group. SupSync has no update groups (deployments).' }
                'UpdateGroupId' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: update group IDs. SupSync has no update groups (deployments).' }
                'UpdateGroupName' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: update group names. SupSync has no update groups (deployments).' }
                'IsDeployed' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: whether the update is deployed. SupSync does not deploy updates.' }
                'IsContentProvisioned' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: whether the content is downloaded to the site. SupSync does not provision content.' }
                'BulletinId' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: the MSRC bulletin ID. SupSync does not store bulletin IDs.' }
                'EulaExist' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: whether the update has a license agreement. SupSync does not track EULAs.' }
                'IncludeUpgrade' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: include feature upgrades. SupSync lists upgrades like any update; filter with -Classification Upgrades.' }
                'IsLatest' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: whether this is the latest revision. SupSync keeps only the latest revision; use -IsSuperseded for the latest update of a chain.' }
                'IsOfflineServiceable' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: whether the update can be applied to an offline image. Not tracked by SupSync.' }
                'IsUserDefined' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: whether the update is user-defined. Not tracked by SupSync.' }
                'Vendor' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: the vendor. Not tracked by SupSync (every update comes from the synchronized catalog).' }
                'DisableWildcardHandling' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: treat wildcard characters literally. SupSync always expands * and ? in -Name-like filters.' }
                'ForceWildcardHandling' = @{ Flag = ''; Type = 'accept' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }

    end {
        Complete-SupSyncBatch -Cmdlet $PSCmdlet -Command $supsyncCommand
    }
}

function Get-CMSoftwareUpdateCategory {
    <#
    .SYNOPSIS
    Lists the categories a site knows: products, classifications, families, companies, detectoids.

    .DESCRIPTION
    After the first sync, lists the categories so products and classifications can be picked by title or GUID. The records carry ConfigMgr's property names too (LocalizedCategoryInstanceName, CategoryInstance_UniqueID, CategoryTypeName); the type is spelled the same in -TypeName and in the output.

    Runs the supsync host command: supsync category list

    .PARAMETER SiteCode
    The site code (3 characters), e.g. CS1.
    Optional: left out, it is the home's top-level site (-Verbose says which), as ConfigMgr takes the site from the site drive.

    .PARAMETER TypeName
    Only this kind: Product, UpdateClassification, ProductFamily, Company or Detectoid (any case; also product, classification, product-family, company, detectoid; wildcards allowed).

    .PARAMETER Name
    Only categories whose title matches (wildcards * and ? allowed).

    .PARAMETER UniqueId
    Only the category with this GUID.

    .PARAMETER Id
    ConfigMgr: the category instance ID. SupSync identifies categories by GUID: the same as -UniqueId.

    .PARAMETER Fast
    ConfigMgr: skip lazy properties. SupSync records have none.
    Accepted for compatibility with the ConfigMgr cmdlet; it changes nothing here.

    .PARAMETER DisableWildcardHandling
    ConfigMgr: treat wildcard characters literally. SupSync always expands * and ? in -Name-like filters.
    Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.

    .PARAMETER ForceWildcardHandling
    ConfigMgr: process wildcard characters. SupSync always does where a parameter takes them.
    Accepted for compatibility with the ConfigMgr cmdlet; it changes nothing here.

    .EXAMPLE
    Get-CMSoftwareUpdateCategory -SiteCode CS1 -TypeName Product

    Lists the products CS1 knows.

    .EXAMPLE
    Get-CMSoftwareUpdateCategory -SiteCode CS1 -TypeName UpdateClassification | Select-Object Title, Id

    Lists the classifications with their GUIDs.

    .EXAMPLE
    Get-CMSoftwareUpdateCategory -Name 'Windows 1*'

    ConfigMgr's own syntax: the categories of the top-level site whose title starts with Windows 1.

    .INPUTS
    System.String: -SiteCode, by property name.

    .OUTPUTS
    SupSync.Category

    .LINK
    Get-CMSoftwareUpdate
    #>
    [CmdletBinding(DefaultParameterSetName = 'ByName', PositionalBinding = $false)]
    [OutputType('SupSync.Category')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $SiteCode,

        [Parameter(ParameterSetName = 'ByName')]
        [Alias('CategoryTypeName', 'CategoryType')]
        [string] $TypeName,

        [Parameter(ParameterSetName = 'ByName')]
        [Alias('LocalizedCategoryInstanceName', 'CategoryName')]
        [string] $Name,

        [Parameter(ParameterSetName = 'ByUniqueId')]
        [Alias('CategoryInstance_UniqueID')]
        [string] $UniqueId,

        [Parameter(ParameterSetName = 'ById')]
        [Alias('CategoryInstanceID')]
        [string] $Id,

        [Parameter()]
        [switch] $Fast,

        [Parameter()]
        [switch] $DisableWildcardHandling,

        [Parameter()]
        [switch] $ForceWildcardHandling
    )

    begin {
        $supsyncCommand = @{
            Id = 'category.list'
            Words = @('category', 'list')
            Action = 'Lists the categories a site knows: products, classifications, families, companies, detectoids'
            Target = 'SiteCode'
            ChangesState = $false
            HostWhatIf = $false
            Batch = $null
            Parameters = [ordered]@{
                'SiteCode' = @{ Flag = 'site'; Type = 'string'; DefaultTopLevel = $true }
                'TypeName' = @{ Flag = 'type'; Type = 'string' }
                'Name' = @{ Flag = 'name'; Type = 'string' }
                'UniqueId' = @{ Flag = 'id'; Type = 'string' }
                'Id' = @{ Flag = 'id'; Type = 'string' }
                'Fast' = @{ Flag = ''; Type = 'accept' }
                'DisableWildcardHandling' = @{ Flag = ''; Type = 'refuse'; Reason = 'ConfigMgr: treat wildcard characters literally. SupSync always expands * and ? in -Name-like filters.' }
                'ForceWildcardHandling' = @{ Flag = ''; Type = 'accept' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Import-CMSoftwareUpdateMetadata {
    <#
    .SYNOPSIS
    Imports a metadata package into a disconnected site.

    .DESCRIPTION
    Loads a metadata package (a generated corpus or another site's export) into a top-level site whose sync source is none; all or nothing.

    Runs the supsync host command: supsync metadata import

    .PARAMETER SiteCode
    The site code (3 characters), e.g. CS1.

    .PARAMETER Path
    The package file.
    A relative path or a PowerShell drive path is resolved against the current location.

    .EXAMPLE
    Import-CMSoftwareUpdateMetadata -SiteCode DS1 -Path D:\Transfer\metadata.pkg.gz

    Imports metadata carried over from a connected site.

    .EXAMPLE
    Import-CMSoftwareUpdateMetadata -SiteCode DS1 -Path D:\Transfer\metadata.pkg.gz -WhatIf

    Shows what the import would do, changing nothing.

    .INPUTS
    System.String: -SiteCode, by property name.

    .OUTPUTS
    SupSync.SyncResult

    .LINK
    Get-CMSoftwareUpdate

    .LINK
    Export-CMSoftwareUpdateMetadata
    #>
    [CmdletBinding(SupportsShouldProcess = $true, PositionalBinding = $false)]
    [OutputType('SupSync.SyncResult')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $SiteCode,

        [Parameter(Mandatory = $true)]
        [string] $Path
    )

    begin {
        $supsyncCommand = @{
            Id = 'metadata.import'
            Words = @('metadata', 'import')
            Action = 'Imports a metadata package into a disconnected site'
            Target = 'SiteCode'
            ChangesState = $true
            HostWhatIf = $true
            Batch = $null
            Parameters = [ordered]@{
                'SiteCode' = @{ Flag = 'site'; Type = 'string' }
                'Path' = @{ Flag = 'path'; Type = 'path' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Export-CMSoftwareUpdateMetadata {
    <#
    .SYNOPSIS
    Exports a site's metadata as a package for a disconnected site.

    .DESCRIPTION
    Writes every category and update revision of the site database into a metadata package (always all metadata, like wsusutil export).

    Runs the supsync host command: supsync metadata export

    .PARAMETER SiteCode
    The site code (3 characters), e.g. CS1.

    .PARAMETER Path
    The package file to write.
    A relative path or a PowerShell drive path is resolved against the current location.

    .EXAMPLE
    Export-CMSoftwareUpdateMetadata -SiteCode CS1 -Path E:\metadata.pkg.gz

    Exports all metadata of CS1 to removable media.

    .EXAMPLE
    Export-CMSoftwareUpdateMetadata -SiteCode CS1 -Path ./metadata.pkg.gz; Get-Item ./metadata.pkg.gz

    Exports into the current directory and shows the file.

    .INPUTS
    System.String: -SiteCode, by property name.

    .OUTPUTS
    SupSync.Package

    .LINK
    Get-CMSoftwareUpdate

    .LINK
    Import-CMSoftwareUpdateMetadata
    #>
    [CmdletBinding(PositionalBinding = $false)]
    [OutputType('SupSync.Package')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $SiteCode,

        [Parameter(Mandatory = $true)]
        [string] $Path
    )

    begin {
        $supsyncCommand = @{
            Id = 'metadata.export'
            Words = @('metadata', 'export')
            Action = 'Exports a site''s metadata as a package for a disconnected site'
            Target = 'SiteCode'
            ChangesState = $false
            HostWhatIf = $false
            Batch = $null
            Parameters = [ordered]@{
                'SiteCode' = @{ Flag = 'site'; Type = 'string' }
                'Path' = @{ Flag = 'path'; Type = 'path' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Test-CMSoftwareUpdateUpstream {
    <#
    .SYNOPSIS
    Checks an upstream server: handshake and configuration.

    .DESCRIPTION
    Authenticates with an upstream WSUS or SUP and reports its protocol version, MaxNumberOfUpdatesPerRequest, LazySync, catalog-only mode and the number of category revisions.

    Runs the supsync host command: supsync upstream test

    .PARAMETER Url
    The upstream base URL, e.g. https://wsus.contoso.com:8531.

    .PARAMETER CaFile
    PEM bundle of extra trusted certificate authorities.
    A relative path or a PowerShell drive path is resolved against the current location.

    .EXAMPLE
    Test-CMSoftwareUpdateUpstream -Url 'https://wsus.contoso.com:8531'

    Checks that the upstream WSUS answers the server-to-server protocol.

    .EXAMPLE
    Test-CMSoftwareUpdateUpstream -Url 'https://wsus.contoso.com:8531' -CaFile .\contoso-root.pem

    Trusts an internal certificate authority for the check.

    .INPUTS
    None

    .OUTPUTS
    SupSync.UpstreamTest

    .LINK
    Get-CMSoftwareUpdate
    #>
    [CmdletBinding(PositionalBinding = $false)]
    [OutputType('SupSync.UpstreamTest')]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Url,

        [Parameter()]
        [string] $CaFile
    )

    begin {
        $supsyncCommand = @{
            Id = 'upstream.test'
            Words = @('upstream', 'test')
            Action = 'Checks an upstream server: handshake and configuration'
            Target = 'Url'
            ChangesState = $false
            HostWhatIf = $false
            Batch = $null
            Parameters = [ordered]@{
                'Url' = @{ Flag = 'url'; Type = 'string' }
                'CaFile' = @{ Flag = 'ca-file'; Type = 'path' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function New-CMSoftwareUpdateSyncSchedule {
    <#
    .SYNOPSIS
    Builds a sync schedule (New-CMSchedule) and shows its schedule string.

    .DESCRIPTION
    Validates the schedule flags (or a ConfigMgr schedule string) and returns the schedule with its 16-hex-digit ScheduleString, its description and its next run.

    Runs the supsync host command: supsync schedule new

    .PARAMETER Start
    When the schedule starts (ISO 8601, local wall-clock time unless -IsUtc).

    .PARAMETER RecurInterval
    Recur every -RecurCount minutes, hours or days.
    Valid values (any case): minutes, hours, days.

    .PARAMETER RecurCount
    The interval count, or the weeks (with -DayOfWeek) or months between runs.

    .PARAMETER DayOfWeek
    Sunday…Saturday: weekly on this day (with -WeekOrder: monthly on that weekday).

    .PARAMETER WeekOrder
    Monthly on the first…fourth or last -DayOfWeek.
    Valid values (any case): first, second, third, fourth, last.

    .PARAMETER DayOfMonth
    Monthly on this day (1-31; 0 or last = the last day).

    .PARAMETER Nonrecurring
    Run once, at -Start.

    .PARAMETER IsUtc
    The start time is UTC (else local time, following daylight saving as Task Scheduler does).

    .PARAMETER ScheduleString
    ConfigMgr's 16-hex-digit schedule string (New-CMSchedule's ScheduleString).

    .EXAMPLE
    New-CMSoftwareUpdateSyncSchedule -DayOfWeek Sunday -RecurCount 1 -Start '2026-11-29T02:00'

    Every Sunday at 2:00 AM local time.

    .EXAMPLE
    New-CMSoftwareUpdateSyncSchedule -RecurInterval Days -RecurCount 7

    Every 7 days from now (the SUP default).

    .EXAMPLE
    New-CMSoftwareUpdateSyncSchedule -ScheduleString '0001200000100038'

    Carries a schedule over from ConfigMgr.

    .INPUTS
    None

    .OUTPUTS
    SupSync.Schedule

    .LINK
    Invoke-CMSoftwareUpdateSync

    .LINK
    Get-CMSoftwareUpdate
    #>
    [CmdletBinding(PositionalBinding = $false)]
    [OutputType('SupSync.Schedule')]
    param(
        [Parameter()]
        [string] $Start,

        [Parameter()]
        [ValidateSet('minutes', 'hours', 'days')]
        [string] $RecurInterval,

        [Parameter()]
        [int] $RecurCount,

        [Parameter()]
        [string] $DayOfWeek,

        [Parameter()]
        [ValidateSet('first', 'second', 'third', 'fourth', 'last')]
        [string] $WeekOrder,

        [Parameter()]
        [string] $DayOfMonth,

        [Parameter()]
        [switch] $Nonrecurring,

        [Parameter()]
        [switch] $IsUtc,

        [Parameter()]
        [string] $ScheduleString
    )

    begin {
        $supsyncCommand = @{
            Id = 'schedule.new'
            Words = @('schedule', 'new')
            Action = 'Builds a sync schedule (New-CMSchedule) and shows its schedule string'
            Target = $null
            ChangesState = $false
            HostWhatIf = $false
            Batch = $null
            Parameters = [ordered]@{
                'Start' = @{ Flag = 'start'; Type = 'string' }
                'RecurInterval' = @{ Flag = 'recur-interval'; Type = 'string'; Choices = @('minutes', 'hours', 'days') }
                'RecurCount' = @{ Flag = 'recur-count'; Type = 'number' }
                'DayOfWeek' = @{ Flag = 'day-of-week'; Type = 'string' }
                'WeekOrder' = @{ Flag = 'week-order'; Type = 'string'; Choices = @('first', 'second', 'third', 'fourth', 'last') }
                'DayOfMonth' = @{ Flag = 'day-of-month'; Type = 'string' }
                'Nonrecurring' = @{ Flag = 'nonrecurring'; Type = 'switch' }
                'IsUtc' = @{ Flag = 'utc'; Type = 'switch' }
                'ScheduleString' = @{ Flag = 'schedule-string'; Type = 'string' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Import-UpdateFromCatalog {
    <#
    .SYNOPSIS
    Imports updates from the Microsoft Update Catalog into the top-level site, by update ID, KB or batch file.

    .DESCRIPTION
    Imports updates into the top-level site's database as imported updates, kept whatever the product and classification selection, so the next sync carries them to the child sites. A KB is resolved through the catalog's search (every update it names is imported; -Product, -Architecture and -TitleContains narrow them). The metadata comes from the site's upstream (GetUpdateData) with the update's bundled updates and prerequisites; with a sync source of none, or when the upstream does not have the update, the catalog's own details are stored instead and the result says so. Unless -MetadataOnly, the files of the catalog's download dialog are downloaded into the site's content directory (https on Microsoft download hosts only, digests verified, interrupted downloads resumed). Importing what is already there is reported AlreadyPresent. One result per input and a summary; a PartialFailure error when some inputs failed and others succeeded. A batch file is one GUID or KB per line (# comments allowed) or a CSV with an UpdateId (Guid, Id) or KB (KBUpdate, HotfixId) column, UTF-8 or UTF-16.

    Runs the supsync host command: supsync catalog import

    .PARAMETER SiteCode
    The top-level site code, e.g. CS1.

    .PARAMETER UpdateId
    Update IDs (GUIDs) as the catalog shows them.

    .PARAMETER ArticleId
    KB article numbers (with or without "KB").

    .PARAMETER Path
    A batch file: one GUID or KB per line, or a CSV with an UpdateId or KB column.
    A relative path or a PowerShell drive path is resolved against the current location.

    .PARAMETER MetadataOnly
    Import the metadata only; download no files.

    .PARAMETER Product
    For KBs naming several updates: only those whose products contain this text.

    .PARAMETER Architecture
    For KBs naming several updates: only this architecture (titles naming none fit every architecture).
    Valid values (any case): x86, x64, arm64.

    .PARAMETER TitleContains
    For KBs naming several updates: only those whose title contains this text.

    .PARAMETER CatalogUrl
    The catalog base URL (default https://www.catalog.update.microsoft.com), for mirrors, proxies and tests.

    .EXAMPLE
    Import-UpdateFromCatalog -SiteCode CS1 -UpdateId 7f659ce1-a58f-41a8-bcf0-18fe434f0916

    Imports one update with its files into CS1.

    .EXAMPLE
    Import-UpdateFromCatalog -SiteCode CS1 -ArticleId 4011677 -Architecture x64 -MetadataOnly

    Imports the 64-bit update of KB4011677, metadata only.

    .EXAMPLE
    Import-UpdateFromCatalog -SiteCode CS1 -Path .\updates.csv -WhatIf

    Shows what importing a CSV of update IDs and KBs would do.

    .EXAMPLE
    Import-Csv .\updates.csv | Import-UpdateFromCatalog -SiteCode CS1 | Where-Object Status -eq 'Failed'

    Imports updates from the pipeline and lists the ones that failed.

    .INPUTS
    System.String: -SiteCode, by property name.
    System.String[]: -UpdateId, by value and by property name (also Guid, Id).
    System.String[]: -ArticleId, by property name (also KB, KBUpdate, HotfixId).

    .OUTPUTS
    SupSync.CatalogImportResult
    SupSync.CatalogImportSummary

    .LINK
    Invoke-CMSoftwareUpdateSync

    .LINK
    Get-CMSoftwareUpdate
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium', DefaultParameterSetName = 'ByUpdate', PositionalBinding = $false)]
    [Alias('Import-CMSoftwareUpdateFromCatalog')]
    [OutputType('SupSync.CatalogImportResult', 'SupSync.CatalogImportSummary')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $SiteCode,

        [Parameter(ParameterSetName = 'ByUpdate', ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Guid', 'Id')]
        [string[]] $UpdateId,

        [Parameter(ParameterSetName = 'ByUpdate', ValueFromPipelineByPropertyName = $true)]
        [Alias('KB', 'KBUpdate', 'HotfixId')]
        [string[]] $ArticleId,

        [Parameter(ParameterSetName = 'ByPath')]
        [Alias('UpdateIdFilePath')]
        [string] $Path,

        [Parameter()]
        [switch] $MetadataOnly,

        [Parameter()]
        [string] $Product,

        [Parameter()]
        [ValidateSet('x86', 'x64', 'arm64')]
        [string] $Architecture,

        [Parameter()]
        [string] $TitleContains,

        [Parameter()]
        [string] $CatalogUrl
    )

    begin {
        $supsyncCommand = @{
            Id = 'catalog.import'
            Words = @('catalog', 'import')
            Action = 'Imports updates from the Microsoft Update Catalog into the top-level site, by update ID, KB or batch file'
            Target = 'SiteCode'
            ChangesState = $true
            HostWhatIf = $true
            Batch = @{ Parameters = @('UpdateId', 'ArticleId'); Size = 250; Chars = 16000 }
            Parameters = [ordered]@{
                'SiteCode' = @{ Flag = 'site'; Type = 'string' }
                'UpdateId' = @{ Flag = 'update-id'; Type = 'string[]' }
                'ArticleId' = @{ Flag = 'kb'; Type = 'string[]' }
                'Path' = @{ Flag = 'path'; Type = 'path' }
                'MetadataOnly' = @{ Flag = 'metadata-only'; Type = 'switch' }
                'Product' = @{ Flag = 'product'; Type = 'string' }
                'Architecture' = @{ Flag = 'architecture'; Type = 'string'; Choices = @('x86', 'x64', 'arm64') }
                'TitleContains' = @{ Flag = 'title-contains'; Type = 'string' }
                'CatalogUrl' = @{ Flag = 'catalog-url'; Type = 'string' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }

    end {
        Complete-SupSyncBatch -Cmdlet $PSCmdlet -Command $supsyncCommand
    }
}

function Get-CMAlert {
    <#
    .SYNOPSIS
    Lists the alerts of the sites of this home, newest first, with their deliveries.

    .DESCRIPTION
    Alerts are raised when a sync fails on any site of the hierarchy (SyncFailure, when the top-level site's EnableSyncFailureAlert is on; the next successful sync cancels it), when a site has had no successful sync for the hours set with "alert set --no-successful-sync-hours" (NoSuccessfulSync), and when a child site's catalog version is more than "alert set --catalog-version-lag-threshold" versions behind its parent's (CatalogVersionLag). Each record shows the site, the error, when it was raised and canceled, how often it occurred, and every delivery to the subscriptions with its state (Pending, Delivered, Failed), attempts and last error.

    Runs the supsync host command: supsync alert list

    .PARAMETER Id
    Only the alert with this ID.

    .PARAMETER SiteCode
    Only alerts about this site.

    .PARAMETER AlertState
    Only Active or only Canceled alerts.
    Valid values (any case): Active, Canceled.

    .PARAMETER AlertType
    Only alerts of this type.
    Valid values (any case): SyncFailure, NoSuccessfulSync, CatalogVersionLag.

    .EXAMPLE
    Get-CMAlert -AlertState Active

    Lists the active alerts.

    .EXAMPLE
    Get-CMAlert -SiteCode PS1 -AlertType SyncFailure | Select-Object -ExpandProperty Deliveries

    Shows where the sync failure alerts of PS1 were delivered, and any failed delivery.

    .INPUTS
    System.Int32: -Id, by property name.

    .OUTPUTS
    SupSync.Alert

    .LINK
    New-CMAlertSubscription

    .LINK
    Get-CMAlertSubscription

    .LINK
    Remove-CMAlertSubscription

    .LINK
    Get-SupSyncAlertSetting

    .LINK
    Set-SupSyncAlertSetting
    #>
    [CmdletBinding(PositionalBinding = $false)]
    [OutputType('SupSync.Alert')]
    param(
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [int] $Id,

        [Parameter()]
        [string] $SiteCode,

        [Parameter()]
        [ValidateSet('Active', 'Canceled')]
        [string] $AlertState,

        [Parameter()]
        [ValidateSet('SyncFailure', 'NoSuccessfulSync', 'CatalogVersionLag')]
        [string] $AlertType
    )

    begin {
        $supsyncCommand = @{
            Id = 'alert.list'
            Words = @('alert', 'list')
            Action = 'Lists the alerts of the sites of this home, newest first, with their deliveries'
            Target = $null
            ChangesState = $false
            HostWhatIf = $false
            Batch = $null
            Parameters = [ordered]@{
                'Id' = @{ Flag = 'id'; Type = 'number' }
                'SiteCode' = @{ Flag = 'site'; Type = 'string' }
                'AlertState' = @{ Flag = 'state'; Type = 'string'; Choices = @('Active', 'Canceled') }
                'AlertType' = @{ Flag = 'type'; Type = 'string'; Choices = @('SyncFailure', 'NoSuccessfulSync', 'CatalogVersionLag') }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function New-CMAlertSubscription {
    <#
    .SYNOPSIS
    Adds a subscription: alerts are delivered to a webhook or by e-mail.

    .DESCRIPTION
    Every alert raised or canceled afterwards is delivered to the subscription: a webhook gets a JSON POST (-WebhookFormat generic: the alert's fields; slack: a Slack incoming-webhook message; teams: a Microsoft Teams message with an Adaptive Card), an e-mail subscription gets a mail through the SMTP server set with "alert set --smtp-server". A failed delivery is retried with growing delays ("alert set --delivery-attempts/--retry-delay-seconds") and then shown as Failed in "alert list"; it never delays or fails a sync.

    Runs the supsync host command: supsync alert subscribe

    .PARAMETER Name
    A name for the subscription (unique in the home).

    .PARAMETER EmailAddress
    Deliver by e-mail to these addresses.

    .PARAMETER WebhookUrl
    Deliver to this webhook URL (http or https).

    .PARAMETER WebhookFormat
    The webhook body: generic JSON (default), slack or teams.
    Valid values (any case): generic, teams, slack.

    .EXAMPLE
    New-CMAlertSubscription -Name 'SUP admins' -EmailAddress 'sup-admins@contoso.com'

    Mails every alert to the SUP admins (set the SMTP server with Set-SupSyncAlertSetting first).

    .EXAMPLE
    New-CMAlertSubscription -Name Teams -WebhookUrl 'https://contoso.webhook.office.com/workflows/abc' -WebhookFormat teams

    Posts every alert to a Teams channel.

    .INPUTS
    None

    .OUTPUTS
    SupSync.AlertSubscription

    .LINK
    Get-CMAlert

    .LINK
    Get-CMAlertSubscription

    .LINK
    Remove-CMAlertSubscription

    .LINK
    Get-SupSyncAlertSetting

    .LINK
    Set-SupSyncAlertSetting
    #>
    [CmdletBinding(SupportsShouldProcess = $true, PositionalBinding = $false)]
    [OutputType('SupSync.AlertSubscription')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [string] $Name,

        [Parameter()]
        [string[]] $EmailAddress,

        [Parameter()]
        [string] $WebhookUrl,

        [Parameter()]
        [ValidateSet('generic', 'teams', 'slack')]
        [string] $WebhookFormat
    )

    begin {
        $supsyncCommand = @{
            Id = 'alert.subscribe'
            Words = @('alert', 'subscribe')
            Action = 'Adds a subscription: alerts are delivered to a webhook or by e-mail'
            Target = 'Name'
            ChangesState = $true
            HostWhatIf = $false
            Batch = $null
            Parameters = [ordered]@{
                'Name' = @{ Flag = 'name'; Type = 'string' }
                'EmailAddress' = @{ Flag = 'email-address'; Type = 'string[]' }
                'WebhookUrl' = @{ Flag = 'webhook-url'; Type = 'string' }
                'WebhookFormat' = @{ Flag = 'webhook-format'; Type = 'string'; Choices = @('generic', 'teams', 'slack') }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Get-CMAlertSubscription {
    <#
    .SYNOPSIS
    Lists the alert subscriptions.

    .DESCRIPTION
    Each subscription with its kind and target: the e-mail addresses, or the webhook's scheme and host (a webhook URL's path often carries its secret and is never shown).

    Runs the supsync host command: supsync alert subscriptions

    .EXAMPLE
    Get-CMAlertSubscription

    Lists where alerts are delivered.

    .EXAMPLE
    Get-CMAlertSubscription | Where-Object Kind -eq 'email'

    Lists the e-mail subscriptions.

    .INPUTS
    None

    .OUTPUTS
    SupSync.AlertSubscription

    .LINK
    Get-CMAlert

    .LINK
    New-CMAlertSubscription

    .LINK
    Remove-CMAlertSubscription

    .LINK
    Get-SupSyncAlertSetting

    .LINK
    Set-SupSyncAlertSetting
    #>
    [CmdletBinding(PositionalBinding = $false)]
    [OutputType('SupSync.AlertSubscription')]
    param(
    )

    begin {
        $supsyncCommand = @{
            Id = 'alert.subscriptions'
            Words = @('alert', 'subscriptions')
            Action = 'Lists the alert subscriptions'
            Target = $null
            ChangesState = $false
            HostWhatIf = $false
            Batch = $null
            Parameters = [ordered]@{}
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Remove-CMAlertSubscription {
    <#
    .SYNOPSIS
    Removes an alert subscription.

    .DESCRIPTION
    Alerts are no longer delivered to it; pending deliveries to it end as Failed.

    Runs the supsync host command: supsync alert unsubscribe

    .PARAMETER Name
    The subscription to remove.

    .EXAMPLE
    Remove-CMAlertSubscription -Name Teams

    Stops delivering alerts to the Teams subscription, after confirmation.

    .EXAMPLE
    Get-CMAlertSubscription | Where-Object Kind -eq 'webhook' | Remove-CMAlertSubscription -Confirm:$false

    Removes every webhook subscription without asking.

    .INPUTS
    System.String: -Name, by property name.

    .OUTPUTS
    SupSync.AlertSubscription

    .LINK
    Get-CMAlert

    .LINK
    New-CMAlertSubscription

    .LINK
    Get-CMAlertSubscription

    .LINK
    Get-SupSyncAlertSetting

    .LINK
    Set-SupSyncAlertSetting
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium', PositionalBinding = $false)]
    [OutputType('SupSync.AlertSubscription')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $Name
    )

    begin {
        $supsyncCommand = @{
            Id = 'alert.unsubscribe'
            Words = @('alert', 'unsubscribe')
            Action = 'Removes an alert subscription'
            Target = 'Name'
            ChangesState = $true
            HostWhatIf = $false
            Batch = $null
            Parameters = [ordered]@{
                'Name' = @{ Flag = 'name'; Type = 'string' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Get-SupSyncAlertSetting {
    <#
    .SYNOPSIS
    Shows the alert settings of this home.

    .DESCRIPTION
    The thresholds of the no-successful-sync and catalog-version-lag alerts, the delivery retries, the SMTP server (the password is never shown) and the subscriptions. The sync failure alert is switched by the top-level site's EnableSyncFailureAlert (Set-CMSoftwareUpdatePointComponent).

    Runs the supsync host command: supsync alert settings

    .EXAMPLE
    Get-SupSyncAlertSetting

    Shows the alert thresholds, the SMTP server and the subscriptions.

    .EXAMPLE
    (Get-SupSyncAlertSetting).NoSuccessfulSyncHours

    Shows after how many hours without a successful sync a site raises an alert (empty: off).

    .INPUTS
    None

    .OUTPUTS
    SupSync.AlertSetting

    .LINK
    Get-CMAlert

    .LINK
    New-CMAlertSubscription

    .LINK
    Get-CMAlertSubscription

    .LINK
    Remove-CMAlertSubscription

    .LINK
    Set-SupSyncAlertSetting
    #>
    [CmdletBinding(PositionalBinding = $false)]
    [OutputType('SupSync.AlertSetting')]
    param(
    )

    begin {
        $supsyncCommand = @{
            Id = 'alert.settings'
            Words = @('alert', 'settings')
            Action = 'Shows the alert settings of this home'
            Target = $null
            ChangesState = $false
            HostWhatIf = $false
            Batch = $null
            Parameters = [ordered]@{}
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Set-SupSyncAlertSetting {
    <#
    .SYNOPSIS
    Changes the alert settings of this home: thresholds, delivery retries, the SMTP server.

    .DESCRIPTION
    Sets when the no-successful-sync and catalog-version-lag alerts are raised (0 turns each off), how deliveries are retried, and the SMTP server e-mail subscriptions are sent through (STARTTLS on port 587 by default, with a user name and password when the server asks for one).

    Runs the supsync host command: supsync alert set

    .PARAMETER NoSuccessfulSyncHours
    Raise an alert when a site has had no successful sync for more than this many hours (0: off).

    .PARAMETER CatalogVersionLagThreshold
    Raise an alert when a child site's catalog version is more than this many versions behind its parent's (0: off).

    .PARAMETER DeliveryAttempts
    Attempts per delivery before it is reported Failed (default 6).

    .PARAMETER RetryDelaySeconds
    Delay before the first retry of a failed delivery; each next one waits four times longer, at most 6 hours (default 30).

    .PARAMETER SmtpServerFqdn
    The SMTP server for e-mail subscriptions.

    .PARAMETER Port
    Its port (default 587 with starttls, 465 with tls, 25 with none).

    .PARAMETER SmtpSecurity
    starttls (default: required upgrade of the connection), tls (TLS from the start) or none.
    Valid values (any case): starttls, tls, none.

    .PARAMETER SendFrom
    The sender address.

    .PARAMETER UserName
    The SMTP account name (with -Password).

    .PARAMETER Password
    The SMTP password (stored, never shown).
    A SecureString, e.g. (Read-Host -AsSecureString); it reaches the host in its environment, never on a command line.

    .PARAMETER CaFile
    A PEM bundle of extra trusted certificate authorities for the SMTP server's certificate.
    A relative path or a PowerShell drive path is resolved against the current location.

    .PARAMETER NoSmtp
    Remove the SMTP server setting.

    .EXAMPLE
    Set-SupSyncAlertSetting -NoSuccessfulSyncHours 26 -CatalogVersionLagThreshold 2

    Alerts when a site has not synced successfully for 26 hours, or a child is more than 2 catalog versions behind.

    .EXAMPLE
    Set-SupSyncAlertSetting -SmtpServerFqdn 'smtp.contoso.com' -SendFrom 'supsync@contoso.com' -UserName 'supsync' -Password (Read-Host -AsSecureString)

    Sends alert mail through smtp.contoso.com with STARTTLS on port 587, asking for the password.

    .INPUTS
    None

    .OUTPUTS
    SupSync.AlertSetting

    .LINK
    Get-CMAlert

    .LINK
    New-CMAlertSubscription

    .LINK
    Get-CMAlertSubscription

    .LINK
    Remove-CMAlertSubscription

    .LINK
    Get-SupSyncAlertSetting
    #>
    [CmdletBinding(SupportsShouldProcess = $true, PositionalBinding = $false)]
    [OutputType('SupSync.AlertSetting')]
    param(
        [Parameter()]
        [int] $NoSuccessfulSyncHours,

        [Parameter()]
        [int] $CatalogVersionLagThreshold,

        [Parameter()]
        [int] $DeliveryAttempts,

        [Parameter()]
        [int] $RetryDelaySeconds,

        [Parameter()]
        [string] $SmtpServerFqdn,

        [Parameter()]
        [int] $Port,

        [Parameter()]
        [ValidateSet('starttls', 'tls', 'none')]
        [string] $SmtpSecurity,

        [Parameter()]
        [string] $SendFrom,

        [Parameter()]
        [string] $UserName,

        [Parameter()]
        [securestring] $Password,

        [Parameter()]
        [string] $CaFile,

        [Parameter()]
        [switch] $NoSmtp
    )

    begin {
        $supsyncCommand = @{
            Id = 'alert.set'
            Words = @('alert', 'set')
            Action = 'Changes the alert settings of this home: thresholds, delivery retries, the SMTP server'
            Target = $null
            ChangesState = $true
            HostWhatIf = $false
            Batch = $null
            Parameters = [ordered]@{
                'NoSuccessfulSyncHours' = @{ Flag = 'no-successful-sync-hours'; Type = 'number' }
                'CatalogVersionLagThreshold' = @{ Flag = 'catalog-version-lag-threshold'; Type = 'number' }
                'DeliveryAttempts' = @{ Flag = 'delivery-attempts'; Type = 'number' }
                'RetryDelaySeconds' = @{ Flag = 'retry-delay-seconds'; Type = 'number' }
                'SmtpServerFqdn' = @{ Flag = 'smtp-server'; Type = 'string' }
                'Port' = @{ Flag = 'smtp-port'; Type = 'number' }
                'SmtpSecurity' = @{ Flag = 'smtp-security'; Type = 'string'; Choices = @('starttls', 'tls', 'none') }
                'SendFrom' = @{ Flag = 'smtp-from'; Type = 'string' }
                'UserName' = @{ Flag = 'smtp-username'; Type = 'string' }
                'Password' = @{ Flag = 'smtp-password'; Type = 'secret' }
                'CaFile' = @{ Flag = 'smtp-ca-file'; Type = 'path' }
                'NoSmtp' = @{ Flag = 'no-smtp'; Type = 'switch' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

function Export-SupSyncMetric {
    <#
    .SYNOPSIS
    Writes the sites' Prometheus metrics to a file (for node_exporter's textfile collector).

    .DESCRIPTION
    Writes the per-site metrics in the Prometheus text format — last sync state, last successful sync time, last sync duration, updates by state, catalog version and lag behind the parent, consecutive failures, next scheduled sync and retry, active alerts — to -Path, atomically (a temporary file renamed over it), so node_exporter's textfile collector never reads half a file. Run it on a schedule, or scrape the running service's /metrics instead, which also counts the requests its SUP endpoints serve. docs/monitoring.md has a scrape job and alert rules.

    Runs the supsync host command: supsync metrics

    .PARAMETER Path
    The file to write, e.g. /var/lib/node_exporter/textfile_collector/supsync.prom.
    A relative path or a PowerShell drive path is resolved against the current location.

    .EXAMPLE
    Export-SupSyncMetric -Path 'C:\Program Files\windows_exporter\textfile_inputs\supsync.prom'

    Writes the metrics where windows_exporter's textfile collector reads them.

    .EXAMPLE
    Export-SupSyncMetric -Path '/var/lib/node_exporter/textfile_collector/supsync.prom'

    Writes them for node_exporter's textfile collector (run it from a scheduled task or a timer).

    .INPUTS
    None

    .OUTPUTS
    SupSync.MetricsFile

    .LINK
    Get-CMSoftwareUpdateSyncStatus

    .LINK
    Get-CMAlert
    #>
    [CmdletBinding(SupportsShouldProcess = $true, PositionalBinding = $false)]
    [OutputType('SupSync.MetricsFile')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [string] $Path
    )

    begin {
        $supsyncCommand = @{
            Id = 'metrics'
            Words = @('metrics')
            Action = 'Writes the sites'' Prometheus metrics to a file (for node_exporter''s textfile collector)'
            Target = 'Path'
            ChangesState = $true
            HostWhatIf = $false
            Batch = $null
            Parameters = [ordered]@{
                'Path' = @{ Flag = 'out'; Type = 'path' }
            }
        }
    }

    process {
        Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_
    }
}

# Tab completion of site codes, products and classifications, asked of the host.
Register-ArgumentCompleter -CommandName @('New-CMSite') -ParameterName 'ParentSiteCode' -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    Complete-SupSyncArgument -Kind 'site' -WordToComplete $wordToComplete -FakeBoundParameters $fakeBoundParameters
}
Register-ArgumentCompleter -CommandName @('Get-CMSite', 'Remove-CMSite', 'Get-CMSoftwareUpdatePointComponent', 'Set-CMSoftwareUpdatePointComponent', 'Get-CMSoftwareUpdateSyncStatus', 'Invoke-CMSoftwareUpdateSync', 'Sync-CMSoftwareUpdate', 'Get-CMSoftwareUpdateSyncHistory', 'Get-CMSoftwareUpdate', 'Get-CMSoftwareUpdateCategory', 'Import-CMSoftwareUpdateMetadata', 'Export-CMSoftwareUpdateMetadata', 'Import-UpdateFromCatalog', 'Import-CMSoftwareUpdateFromCatalog', 'Get-CMAlert') -ParameterName 'SiteCode' -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    Complete-SupSyncArgument -Kind 'site' -WordToComplete $wordToComplete -FakeBoundParameters $fakeBoundParameters
}
Register-ArgumentCompleter -CommandName @('Set-CMSoftwareUpdatePointComponent') -ParameterName 'AddProduct' -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    Complete-SupSyncArgument -Kind 'product' -WordToComplete $wordToComplete -FakeBoundParameters $fakeBoundParameters
}
Register-ArgumentCompleter -CommandName @('Set-CMSoftwareUpdatePointComponent') -ParameterName 'RemoveProduct' -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    Complete-SupSyncArgument -Kind 'product' -WordToComplete $wordToComplete -FakeBoundParameters $fakeBoundParameters
}
Register-ArgumentCompleter -CommandName @('Set-CMSoftwareUpdatePointComponent') -ParameterName 'AddUpdateClassification' -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    Complete-SupSyncArgument -Kind 'classification' -WordToComplete $wordToComplete -FakeBoundParameters $fakeBoundParameters
}
Register-ArgumentCompleter -CommandName @('Set-CMSoftwareUpdatePointComponent') -ParameterName 'RemoveUpdateClassification' -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    Complete-SupSyncArgument -Kind 'classification' -WordToComplete $wordToComplete -FakeBoundParameters $fakeBoundParameters
}
Register-ArgumentCompleter -CommandName @('Get-CMSoftwareUpdate') -ParameterName 'Product' -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    Complete-SupSyncArgument -Kind 'product' -WordToComplete $wordToComplete -FakeBoundParameters $fakeBoundParameters
}
Register-ArgumentCompleter -CommandName @('Get-CMSoftwareUpdate') -ParameterName 'Classification' -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    Complete-SupSyncArgument -Kind 'classification' -WordToComplete $wordToComplete -FakeBoundParameters $fakeBoundParameters
}

Export-ModuleMember -Function @('New-CMSite', 'Get-CMSite', 'Remove-CMSite', 'Get-CMSoftwareUpdatePointComponent', 'Set-CMSoftwareUpdatePointComponent', 'Get-CMSoftwareUpdateSyncStatus', 'Invoke-CMSoftwareUpdateSync', 'Get-CMSoftwareUpdateSyncHistory', 'Get-CMSoftwareUpdate', 'Get-CMSoftwareUpdateCategory', 'Import-CMSoftwareUpdateMetadata', 'Export-CMSoftwareUpdateMetadata', 'Test-CMSoftwareUpdateUpstream', 'New-CMSoftwareUpdateSyncSchedule', 'Import-UpdateFromCatalog', 'Get-CMAlert', 'New-CMAlertSubscription', 'Get-CMAlertSubscription', 'Remove-CMAlertSubscription', 'Get-SupSyncAlertSetting', 'Set-SupSyncAlertSetting', 'Export-SupSyncMetric', 'New-CMSchedule', 'Convert-CMSchedule', 'Register-CMSoftwareUpdateSyncTask', 'Unregister-CMSoftwareUpdateSyncTask') -Alias @('Sync-CMSoftwareUpdate', 'Import-CMSoftwareUpdateFromCatalog')
