# Handwritten (module/README.md). Tab completion of site codes, products and classifications,
# asked of the host (registered for the generated functions by SupSync.psm1).

function Complete-SupSyncArgument {
    <#
    .SYNOPSIS
    Completions for a -SiteCode-like parameter (site list) or a product or classification
    parameter (category list of the typed -SiteCode, else of the top-level site). Any failure
    gives no completions rather than an error in the middle of typing.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.CompletionResult])]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateSet('site', 'product', 'classification')]
        [string] $Kind,

        [AllowEmptyString()]
        [string] $WordToComplete,

        [System.Collections.IDictionary] $FakeBoundParameters
    )
    $word = ([string]$WordToComplete).Trim([char[]]@([char]39, [char]34))
    $pattern = [System.Management.Automation.WildcardPattern]::Escape($word) + '*'
    try {
        # The sites' completion caches when every site has one (no Node.js start), else the host.
        $cached = Read-SupSyncCompletionCache
        if ($null -ne $cached) { $sites = $cached }
        else { $sites = @(Get-SupSyncCachedRecord -Arguments @('site', 'list')) }
        if ($Kind -eq 'site') {
            $candidates = foreach ($site in $sites) { @{ Text = [string]$site.SiteCode; Tip = "$($site.SiteCode): $($site.Role) site" } }
        }
        else {
            $siteCode = $null
            if ($null -ne $FakeBoundParameters) { $siteCode = [string]$FakeBoundParameters['SiteCode'] }
            if (-not $siteCode) { $siteCode = [string](@($sites | Where-Object { $_.TopLevel }) | Select-Object -First 1).SiteCode }
            if (-not $siteCode) { return }
            $site = $null
            if ($null -ne $cached) { $site = @($cached | Where-Object { $_.SiteCode -eq $siteCode }) | Select-Object -First 1 }
            if ($null -ne $site) {
                if ($Kind -eq 'product') { $categories = @($site.Products) } else { $categories = @($site.Classifications) }
            }
            else {
                $categories = @(Get-SupSyncCachedRecord -Arguments @('category', 'list', "--site=$siteCode", "--type=$Kind"))
            }
            $candidates = foreach ($category in $categories) { @{ Text = [string]$category.Title; Tip = "$($category.Title) ($($category.Id))" } }
        }
    }
    catch {
        return
    }
    $seen = @{}
    foreach ($candidate in @($candidates | Sort-Object { $_.Text })) {
        if (-not $candidate.Text -or $seen.ContainsKey($candidate.Text) -or $candidate.Text -notlike $pattern) { continue }
        $seen[$candidate.Text] = $true
        $completion = $candidate.Text
        # Quoted when PowerShell would otherwise split or evaluate it; quotes inside are doubled.
        if ($completion -match '[\s''"`$;,(){}@&|<>#\u2018-\u201B]') {
            $completion = "'" + ($completion -replace '[''\u2018-\u201B]', '$0$0') + "'"
        }
        [System.Management.Automation.CompletionResult]::new($completion, $candidate.Text, 'ParameterValue', $candidate.Tip)
    }
}

function Get-SupSyncCachedRecord {
    <#
    .SYNOPSIS
    The records of a read-only host call, kept per supsync home for two minutes (and until a
    state-changing cmdlet runs), so that each Tab press does not start Node.js.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string[]] $Arguments
    )
    if ($null -eq $script:SupSyncCache) { $script:SupSyncCache = @{} }
    $key = 'complete|' + [string]$env:SUPSYNC_HOME + '|' + ($Arguments -join ' ')
    $entry = $script:SupSyncCache[$key]
    if ($null -eq $entry -or $entry.Until -lt [datetime]::UtcNow) {
        $entry = @{ Records = @(Invoke-SupSyncHost -Arguments $Arguments); Until = [datetime]::UtcNow.AddMinutes(2) }
        $script:SupSyncCache[$key] = $entry
    }
    $entry.Records
}

function Get-SupSyncHomePath {
    <#
    .SYNOPSIS
    The supsync home the host would use: $env:SUPSYNC_HOME (relative to the current file-system
    location), else the per-machine data directory.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    if ($env:SUPSYNC_HOME) {
        return [System.IO.Path]::GetFullPath([System.IO.Path]::Combine((Get-Location -PSProvider FileSystem).ProviderPath, $env:SUPSYNC_HOME))
    }
    if ($env:OS -eq 'Windows_NT') {
        $data = $env:ProgramData
        if (-not $data) { $data = 'C:\ProgramData' }
        return [System.IO.Path]::Combine($data, 'supsync')
    }
    if ([System.IO.Directory]::Exists('/Library/Application Support')) { return '/Library/Application Support/supsync' }
    '/var/lib/supsync'
}

function Read-SupSyncCompletionCache {
    <#
    .SYNOPSIS
    Every site's completion cache (<site>/completion.json: code, role, top-level, products and
    classifications), or $null when a site has none or one cannot be read.
    .DESCRIPTION
    The host removes a site's cache when a sync or import opens the site and writes it again from
    the database when that ends, so a cache that is there is current; a missing one (a write under
    way, or one that died) sends the completer to the host. Read with sharing that lets the host
    delete or replace the file meanwhile.
    #>
    [CmdletBinding()]
    param()
    try {
        $sitesDir = [System.IO.Path]::Combine((Get-SupSyncHomePath), 'sites')
        if (-not [System.IO.Directory]::Exists($sitesDir)) { return $null }
        $caches = [System.Collections.Generic.List[object]]::new()
        foreach ($dir in [System.IO.Directory]::GetDirectories($sitesDir)) {
            # Names starting with a dot are sites being added.
            if ([System.IO.Path]::GetFileName($dir).StartsWith('.') -or -not [System.IO.File]::Exists([System.IO.Path]::Combine($dir, 'site.json'))) { continue }
            $file = [System.IO.Path]::Combine($dir, 'completion.json')
            if (-not [System.IO.File]::Exists($file)) { return $null }
            $stream = [System.IO.File]::Open($file, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, [System.IO.FileShare]'ReadWrite, Delete')
            try { $text = [System.IO.StreamReader]::new($stream, [System.Text.UTF8Encoding]::new($false)).ReadToEnd() }
            finally { $stream.Dispose() }
            $caches.Add((ConvertFrom-Json -InputObject $text -ErrorAction Stop))
        }
        , $caches.ToArray()
    }
    catch {
        $null
    }
}
