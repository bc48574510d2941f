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
        $sites = @(Get-SupSyncCachedRecord -Arguments @('site', 'list'))
        if ($Kind -eq 'site') {
            $candidates = foreach ($site in $sites) { @{ Text = [string]$site.SiteCode; Tip = "$($site.SiteCode): $($site.Role) site" } }
        }
        else {
            $siteCode = $null
            if ($null -ne $FakeBoundParameters) { $siteCode = [string]$FakeBoundParameters['SiteCode'] }
            if (-not $siteCode) { $siteCode = [string](@($sites | Where-Object { $_.TopLevel }) | Select-Object -First 1).SiteCode }
            if (-not $siteCode) { return }
            $categories = @(Get-SupSyncCachedRecord -Arguments @('category', 'list', "--site=$siteCode", "--type=$Kind"))
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
