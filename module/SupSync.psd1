# generated — do not edit; run npm run build (scripts/generate-module.ts writes it from the command spec in src/cli/)
@{
    RootModule = 'SupSync.psm1'
    ModuleVersion = '0.1.0'
    GUID = '4b617451-dae2-47a3-988c-dc83de152ea1'
    Author = 'supsync contributors'
    CompanyName = 'supsync'
    Copyright = '(c) supsync contributors. MIT License.'
    Description = 'A software update point that synchronizes Windows update metadata over the WSUS server-to-server protocol, driven from PowerShell'
    PowerShellVersion = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    TypesToProcess = @('SupSync.Types.ps1xml')
    FormatsToProcess = @('SupSync.Format.ps1xml')
    FunctionsToExport = @(
        'New-CMSite',
        'Get-CMSite',
        'Remove-CMSite',
        'Get-CMSoftwareUpdatePointComponent',
        'Set-CMSoftwareUpdatePointComponent',
        'Get-CMSoftwareUpdateSyncStatus',
        'Invoke-CMSoftwareUpdateSync',
        'Get-CMSoftwareUpdateSyncHistory',
        'Get-CMSoftwareUpdate',
        'Get-CMSoftwareUpdateCategory',
        'Import-CMSoftwareUpdateMetadata',
        'Export-CMSoftwareUpdateMetadata',
        'Test-CMSoftwareUpdateUpstream',
        'New-CMSoftwareUpdateSyncSchedule',
        'Import-UpdateFromCatalog',
        'Get-CMAlert',
        'New-CMAlertSubscription',
        'Get-CMAlertSubscription',
        'Remove-CMAlertSubscription',
        'Get-SupSyncAlertSetting',
        'Set-SupSyncAlertSetting',
        'Export-SupSyncMetric',
        'New-CMSchedule',
        'Convert-CMSchedule',
        'Register-CMSoftwareUpdateSyncTask',
        'Unregister-CMSoftwareUpdateSyncTask'
    )
    CmdletsToExport = @()
    VariablesToExport = @()
    AliasesToExport = @(
        'Sync-CMSoftwareUpdate',
        'Import-CMSoftwareUpdateFromCatalog'
    )
    PrivateData = @{
        PSData = @{
            Tags = @('ConfigMgr', 'SCCM', 'WSUS', 'SoftwareUpdates', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
        }
    }
}
