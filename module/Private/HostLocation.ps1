# Handwritten (module/README.md). Finding Node.js and the supsync host the module drives.

# The node executable whose version was checked in this session.
$script:SupSyncCheckedNode = $null

function Resolve-SupSyncNode {
    <#
    .SYNOPSIS
    The Node.js executable the host runs on: $env:SUPSYNC_NODE, else node on PATH, checked once
    per session against $script:SupSyncMinimumNode. Throws NodeNotFound or NodeTooOld.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $minimum = $script:SupSyncMinimumNode
    $advice = "supsync needs Node.js $minimum or later: install it and put node on PATH, or set `$env:SUPSYNC_NODE to the node executable"
    if ($env:SUPSYNC_NODE) {
        $node = $env:SUPSYNC_NODE
        if (-not (Test-Path -LiteralPath $node -PathType Leaf)) {
            throw (New-SupSyncErrorRecord -Message "$advice. SUPSYNC_NODE names '$node', which is not a file." -ErrorId 'NodeNotFound' -Category NotInstalled -Target $node)
        }
    }
    else {
        $found = Get-Command -Name 'node' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($null -eq $found) {
            throw (New-SupSyncErrorRecord -Message "$advice. There is no node on PATH." -ErrorId 'NodeNotFound' -Category NotInstalled -Target 'node')
        }
        $node = $found.Path
    }
    if ($script:SupSyncCheckedNode -ne $node) {
        $text = ''
        try { $text = [string](& $node --version 2>$null) } catch { $text = '' }
        if ($text -notmatch '^v(\d+)\.(\d+)\.(\d+)') {
            throw (New-SupSyncErrorRecord -Message "$advice. '$node --version' did not answer with a version." -ErrorId 'NodeNotFound' -Category NotInstalled -Target $node)
        }
        $version = [version]::new([int]$Matches[1], [int]$Matches[2], [int]$Matches[3])
        if ($version -lt $minimum) {
            throw (New-SupSyncErrorRecord -Message "$advice. $node is $text." -ErrorId 'NodeTooOld' -Category NotInstalled -Target $node)
        }
        $script:SupSyncCheckedNode = $node
    }
    $node
}

function Resolve-SupSyncHostPath {
    <#
    .SYNOPSIS
    The host's main.js: $env:SUPSYNC_HOST, else dist/src/cli/main.js beside the module (a packaged
    copy) or one level up (the module folder of a built checkout). Throws HostNotFound.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    if ($env:SUPSYNC_HOST) {
        if (Test-Path -LiteralPath $env:SUPSYNC_HOST -PathType Leaf) {
            return (Resolve-Path -LiteralPath $env:SUPSYNC_HOST).ProviderPath
        }
        throw (New-SupSyncErrorRecord -Message "SUPSYNC_HOST names '$($env:SUPSYNC_HOST)', which is not a file; point it at dist/src/cli/main.js of a built supsync." -ErrorId 'HostNotFound' -Category ObjectNotFound -Target $env:SUPSYNC_HOST)
    }
    $candidates = @(
        [System.IO.Path]::Combine($script:SupSyncModuleRoot, 'dist', 'src', 'cli', 'main.js'),
        [System.IO.Path]::Combine($script:SupSyncModuleRoot, '..', 'dist', 'src', 'cli', 'main.js')
    )
    foreach ($candidate in $candidates) {
        if (Test-Path -LiteralPath $candidate -PathType Leaf) { return [System.IO.Path]::GetFullPath($candidate) }
    }
    throw (New-SupSyncErrorRecord -Message "The supsync host is not beside the module (looked for $($candidates -join ' and ')): run npm run build in the supsync checkout, or set `$env:SUPSYNC_HOST to its dist/src/cli/main.js." -ErrorId 'HostNotFound' -Category ObjectNotFound -Target $candidates[0])
}
