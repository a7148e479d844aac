WITH scored AS (
  SELECT
    event_id,
    event_time,
    actor,
    account,
    aws_region,
    source_ip_address,
    request_parameters,
    resources,
    session_issuer_arn,
    user_type,
    user_arn,
    recipient_account_id,
    user_name,
    request_instance_id,
    request_bucket_name,
    request_secret_id,
    event_name,
    CASE
      WHEN __shared_1 IN (
        'accepthandshake',
        'acceptvpcpeeringconnection',
        'addclientidtoopenidconnectprovider',
        'addlayerversionpermission',
        'addlayerversionpermission20181031',
        'addpermission',
        'addpermission20150331',
        'addpermission20150331v2',
        'addroletodbcluster',
        'addroletodbinstance',
        'addusertogroup',
        'applysecuritygroupstoloadbalancer',
        'associateaccesspolicy',
        'associatedirectory',
        'associateiaminstanceprofile',
        'associatevpcwithhostedzone',
        'assumerole',
        'assumeroot',
        'attachgrouppolicy',
        'attachinternetgateway',
        'attachmanagedpolicytopermissionset',
        'attachrolepolicy',
        'attachuserpolicy',
        'attachvpngateway',
        'authorizecachesecuritygroupegress',
        'authorizecachesecuritygroupingress',
        'authorizedbsecuritygroupingress',
        'authorizesecuritygroupegress',
        'authorizesecuritygroupingress',
        'authorizesnapshotaccess',
        'batchdeleteimage',
        'batchdisablestandards',
        'batchgetsecretvalue',
        'batchupdateautomationrules',
        'batchupdatefindings',
        'checkmfa',
        'closeaccount',
        'consolelogin',
        'copydbclustersnapshot',
        'copydbsnapshot',
        'copyimage',
        'copyobject',
        'copysnapshot',
        'createaccessentry',
        'createaccesskey',
        'createaccount',
        'createaccountassignment',
        'createarchiverule',
        'createautomationrule',
        'createbucket',
        'createcachesecuritygroup',
        'createcluster',
        'createcustomergateway',
        'createdbclustersnapshot',
        'createdbinstance',
        'createdbsecuritygroup',
        'createdbsnapshot',
        'createdevendpoint',
        'createdomain',
        'createelasticsearchdomain',
        'createemailidentity',
        'createenvironment',
        'createfilter',
        'createfleet',
        'createfoundationmodelagreement',
        'createfunction',
        'createfunction20150331',
        'createfunctionurlconfig',
        'createfunctionurlconfig20211031',
        'creategovcloudaccount',
        'creategrant',
        'createidentitypool',
        'createimage',
        'createinstanceexporttask',
        'createinternetgateway',
        'createipset',
        'createjob',
        'createkey',
        'createloginprofile',
        'createmultipartupload',
        'createnetworkacl',
        'createnetworkaclentry',
        'createnotebookinstance',
        'createopenidconnectprovider',
        'createpermissionset',
        'createpolicy',
        'createpolicyversion',
        'createprofile',
        'createqueue',
        'createrole',
        'createroute',
        'createsamlprovider',
        'createsecuritygroup',
        'createsession',
        'createsnapshot',
        'createsnapshots',
        'createstack',
        'createtoken',
        'createtopic',
        'createtrafficmirrorfilter',
        'createtrafficmirrorfilterrule',
        'createtrafficmirrorsession',
        'createtrafficmirrortarget',
        'createtrail',
        'createtrustanchor',
        'createuser',
        'createvirtualmfadevice',
        'createvpc',
        'createvpcassociationauthorization',
        'createvpcpeeringconnection',
        'deactivatemfadevice',
        'deleteaccountpasswordpolicy',
        'deleteaccountpublicaccessblock',
        'deleteactiontarget',
        'deletealarms',
        'deletealias',
        'deleteanalyzer',
        'deleteassessmenttarget',
        'deleteassessmenttemplate',
        'deletebackupplan',
        'deletebackupselection',
        'deletebackupvault',
        'deletebackupvaultaccesspolicy',
        'deletebackupvaultlockconfiguration',
        'deletebucket',
        'deletebucketcors',
        'deletebucketencryption',
        'deletebucketlifecycle',
        'deletebucketpolicy',
        'deletebucketpublicaccessblock',
        'deletebucketreplication',
        'deletecachesecuritygroup',
        'deletechannel',
        'deletecluster',
        'deleteconfigrule',
        'deleteconfigurationaggregator',
        'deleteconfigurationrecorder',
        'deleteconformancepack',
        'deletedbcluster',
        'deletedbclusterautomatedbackup',
        'deletedbclustersnapshot',
        'deletedbinstance',
        'deletedbinstanceautomatedbackup',
        'deletedbsecuritygroup',
        'deletedbsnapshot',
        'deletedeliverychannel',
        'deletedetector',
        'deleteemailidentity',
        'deleteeventdatastore',
        'deletefilesystem',
        'deletefilter',
        'deleteflowlogs',
        'deleteglobalcluster',
        'deletegraph',
        'deleteguardrail',
        'deleteidentity',
        'deleteimportedkeymaterial',
        'deleteinsight',
        'deleteinternetgateway',
        'deleteipset',
        'deleteloggingconfiguration',
        'deleteloggroup',
        'deletelogstream',
        'deletemember',
        'deletemembers',
        'deletemfadeviceforuser',
        'deletemodelinvocationloggingconfiguration',
        'deletemounttarget',
        'deletenetworkacl',
        'deletenetworkaclentry',
        'deleteobject',
        'deleteobjects',
        'deleteorganization',
        'deleteorganizationconfigrule',
        'deleteorganizationconformancepack',
        'deletepolicy',
        'deleteprotection',
        'deleteprotectiongroup',
        'deletepublishingdestination',
        'deleterecoverypoint',
        'deleteremediationconfiguration',
        'deleterepository',
        'deleteresolverquerylogconfig',
        'deleteretentionconfiguration',
        'deleteroute',
        'deleterule',
        'deleterulegroup',
        'deletesamlprovider',
        'deletesecuritygroup',
        'deletesubscription',
        'deletethreatintelset',
        'deletetrafficmirrorsession',
        'deletetrafficmirrortarget',
        'deletetrail',
        'deletevirtualmfadevice',
        'deletevpc',
        'deletewebacl',
        'describeaccount',
        'describedbclustersnapshots',
        'describedbsnapshots',
        'describeinstanceattribute',
        'detachpolicy',
        'disable',
        'disablealarmactions',
        'disabledelegatedadminaccount',
        'disabledomaintransferlock',
        'disableebsencryptionbydefault',
        'disableexternalidpconfigurationfordirectory',
        'disableimportfindingsforproduct',
        'disablekey',
        'disablekeyrotation',
        'disablemacie',
        'disableorganizationadminaccount',
        'disablepolicytype',
        'disableproactiveengagement',
        'disablerule',
        'disablesecurityhub',
        'disassociateadminaccount',
        'disassociatedirectory',
        'disassociatefromadministratoraccount',
        'disassociatefrommasteraccount',
        'disassociatemember',
        'disassociatemembers',
        'disassociatemembership',
        'disassociateresolverquerylogconfig',
        'disassociatewebacl',
        'enableexternalidpconfigurationfordirectory',
        'enablemfadevice',
        'enableregion',
        'enableserialconsoleaccess',
        'exportimage',
        'exporttabletopointintime',
        'getaccount',
        'getaccountauthorizationdetails',
        'getaccountsendingenabled',
        'getaccountsummary',
        'getalternatecontact',
        'getcontactinformation',
        'getfederationtoken',
        'getidentityverificationattributes',
        'getparameter',
        'getparameters',
        'getparametersbypath',
        'getpassworddata',
        'getsecretvalue',
        'getsendquota',
        'getsendstatistics',
        'getsessiontoken',
        'getsignintoken',
        'importkeymaterial',
        'importkeypair',
        'inviteaccounttoorganization',
        'leaveorganization',
        'listaccounts',
        'listemailidentities',
        'listidentities',
        'listobjects',
        'listobjectsv2',
        'listobjectversions',
        'listverifiedemailaddresses',
        'modifycluster',
        'modifydbcluster',
        'modifydbclustersnapshotattribute',
        'modifydbinstance',
        'modifydbsnapshotattribute',
        'modifydocumentpermission',
        'modifyimageattribute',
        'modifyinstanceattribute',
        'modifyinstancemetadatadefaults',
        'modifyinstancemetadataoptions',
        'modifysecuritygrouprules',
        'modifysnapshotattribute',
        'modifytrafficmirrorfilternetworkservices',
        'modifytrafficmirrorfilterrule',
        'modifytrafficmirrorsession',
        'modifyvpcattribute',
        'passwordrecoverycompleted',
        'passwordrecoveryrequested',
        'passwordupdated',
        'purgequeue',
        'putaccountdetails',
        'putaccountpublicaccessblock',
        'putaccountsendingattributes',
        'putbackupvaultaccesspolicy',
        'putbucketacl',
        'putbucketencryption',
        'putbucketlifecycle',
        'putbucketlifecycleconfiguration',
        'putbucketlogging',
        'putbucketpolicy',
        'putbucketpublicaccessblock',
        'putbucketreplication',
        'putbucketversioning',
        'putbucketwebsite',
        'putdestinationpolicy',
        'puteventselectors',
        'putfilesystempolicy',
        'putfoundationmodelentitlement',
        'putgrouppolicy',
        'putimagescanningconfiguration',
        'putimagetagmutability',
        'putinlinepolicytopermissionset',
        'putinsightselectors',
        'putkeypolicy',
        'putobject',
        'putobjectacl',
        'putreplicationconfiguration',
        'putrepositorypermissionspolicy',
        'putresourcepolicy',
        'putretentionpolicy',
        'putrolepolicy',
        'putusecaseformodelaccess',
        'putuserpolicy',
        'registertaskdefinition',
        'removeaccountfromorganization',
        'removetargets',
        'replaceiaminstanceprofileassociation',
        'replacenetworkaclassociation',
        'replacenetworkaclentry',
        'replaceroute',
        'requestspotinstances',
        'restoredbclusterfromsnapshot',
        'restoredbinstancefromdbsnapshot',
        'restoredbinstancetopointintime',
        'restorefromclustersnapshot',
        'resumesession',
        'revokecachesecuritygroupegress',
        'revokecachesecuritygroupingress',
        'revokedbsecuritygroupingress',
        'revokesecuritygroupegress',
        'revokesecuritygroupingress',
        'runinstances',
        'runtask',
        'schedulekeydeletion',
        'sendcommand',
        'sendserialconsolesshpublickey',
        'sendsshpublickey',
        'setdefaultpolicyversion',
        'setqueueattributes',
        'setrepositorypolicy',
        'setsecuritygroups',
        'settopicattributes',
        'setvaultaccesspolicy',
        'startexporttask',
        'startsession',
        'starttask',
        'stopactivitystream',
        'stopassessmentrun',
        'stopconfigurationrecorder',
        'stopdbcluster',
        'stopdbinstance',
        'stopeventdatastoreingestion',
        'stopinstances',
        'stoplogging',
        'stopmonitoringmembers',
        'terminateinstances',
        'transferdomain',
        'transferdomaintoanotherawsaccount',
        'updateaccessentry',
        'updateaccountpasswordpolicy',
        'updateaccountsendingenabled',
        'updatearchiverule',
        'updateassumerolepolicy',
        'updateclusterconfig',
        'updatedetector',
        'updatedevendpoint',
        'updatedomainconfig',
        'updateelasticsearchdomainconfig',
        'updatefilter',
        'updatefindings',
        'updatefunctioncode',
        'updatefunctioncode20150331',
        'updatefunctioncode20150331v2',
        'updatefunctionconfiguration',
        'updatefunctionconfiguration20150331',
        'updatefunctionconfiguration20150331v2',
        'updatefunctionurlconfig',
        'updatefunctionurlconfig20211031',
        'updateguardrail',
        'updateidentitypool',
        'updateipset',
        'updateloginprofile',
        'updatemaciesession',
        'updateopenidconnectproviderthumbprint',
        'updatepolicy',
        'updateprojectvisibility',
        'updaterecoverypointlifecycle',
        'updatesamlprovider',
        'updatetrail',
        'updatetrustanchor',
        'verifydomainidentity',
        'verifyemailaddress',
        'verifyemailidentity'
      )
      THEN CONCAT(
        __unlimited_hits,
        FILTER(
          ARRAY(
            CASE
              WHEN (
                (
                  __shared_0 = 'access-analyzer.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'deleteanalyzer'
                  )
                  OR (
                    __shared_1 = 'createarchiverule'
                  )
                  OR (
                    __shared_1 = 'updatearchiverule'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 0
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'createaccesskey'
                ) AND (
                  NOT request_user_name IS NULL
                )
              )
              AND (
                NOT (
                  COALESCE((
                    __shared_3 = 'iamuser'
                  ) AND (
                    __shared_4 = __shared_5
                  ), FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 2
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'describeaccount'
                )
                OR (
                  __shared_1 = 'getalternatecontact'
                )
                OR (
                  __shared_1 = 'getcontactinformation'
                )
                OR (
                  __shared_1 = 'getaccountsummary'
                )
                OR (
                  __shared_1 = 'getaccountauthorizationdetails'
                )
                OR (
                  __shared_1 = 'getidentityverificationattributes'
                )
                OR (
                  __shared_1 = 'listaccounts'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 3
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_1 = 'attachuserpolicy'
                  )
                  OR (
                    __shared_1 = 'attachrolepolicy'
                  )
                  OR (
                    __shared_1 = 'attachgrouppolicy'
                  )
                )
                AND (
                  (
                    ENDSWITH(__shared_6, '/administratoraccess')
                  )
                  OR (
                    ENDSWITH(__shared_6, '/iamfullaccess')
                  )
                  OR (
                    ENDSWITH(__shared_6, '/poweruseraccess')
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 4
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'assumerole'
                )
                AND (
                  request_role_arn RLIKE '(?i):role/.*(admin|root|breakglass|break-glass|fullaccess)'
                )
              )
              AND (
                NOT (
                  COALESCE(__shared_3 = 'awsservice', FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 5
            END,
            CASE
              WHEN (
                __shared_0 = 'iam.amazonaws.com'
              )
              AND (
                __shared_1 = 'updateassumerolepolicy'
              )
              AND (
                (
                  __shared_2 = 'malformedpolicydocument'
                )
                OR (
                  __shared_2 = 'malformedpolicydocumentexception'
                )
              )
              THEN 6
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'backup.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'deletebackupvault'
                  )
                  OR (
                    __shared_1 = 'deletebackupplan'
                  )
                  OR (
                    __shared_1 = 'deletebackupselection'
                  )
                  OR (
                    __shared_1 = 'deleterecoverypoint'
                  )
                  OR (
                    __shared_1 = 'deletebackupvaultaccesspolicy'
                  )
                  OR (
                    __shared_1 = 'putbackupvaultaccesspolicy'
                  )
                  OR (
                    __shared_1 = 'deletebackupvaultlockconfiguration'
                  )
                  OR (
                    __shared_1 = 'updaterecoverypointlifecycle'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 7
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'bedrock.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'putfoundationmodelentitlement'
                  )
                  OR (
                    __shared_1 = 'putusecaseformodelaccess'
                  )
                  OR (
                    __shared_1 = 'createfoundationmodelagreement'
                  )
                  OR (
                    __shared_1 = 'deleteguardrail'
                  )
                  OR (
                    __shared_1 = 'updateguardrail'
                  )
                  OR (
                    __shared_1 = 'deletemodelinvocationloggingconfiguration'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 8
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'cloudshell.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'createenvironment'
                  ) OR (
                    __shared_1 = 'createsession'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 9
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'cloudtrail.amazonaws.com'
                )
                AND (
                  __shared_1 = 'createtrail'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 10
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'cloudtrail.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'stoplogging'
                  ) OR (
                    __shared_1 = 'deletetrail'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 11
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'cloudtrail.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'updatetrail'
                  )
                  OR (
                    __shared_1 = 'puteventselectors'
                  )
                  OR (
                    __shared_1 = 'putinsightselectors'
                  )
                  OR (
                    __shared_1 = 'deleteeventdatastore'
                  )
                  OR (
                    __shared_1 = 'stopeventdatastoreingestion'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 12
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'monitoring.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'deletealarms'
                  ) OR (
                    __shared_1 = 'disablealarmactions'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 13
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'logs.amazonaws.com'
                )
                AND (
                  __shared_1 = 'putretentionpolicy'
                )
                AND (
                  request_parameters RLIKE '"retentionInDays"\\s*:\\s*"?[1-7]"?\\s*[,}]'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 14
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'logs.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'deleteloggroup'
                  ) OR (
                    __shared_1 = 'deletelogstream'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 15
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'codebuild.amazonaws.com'
                )
                AND (
                  __shared_1 = 'updateprojectvisibility'
                )
                AND (
                  request_parameters RLIKE '"projectVisibility"\\s*:\\s*"PUBLIC_READ"'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 16
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'cognito-identity.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'createidentitypool'
                  )
                  OR (
                    __shared_1 = 'updateidentitypool'
                  )
                )
                AND (
                  request_parameters RLIKE '"allowUnauthenticatedIdentities"\\s*:\\s*true'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 17
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_1 = 'attachuserpolicy'
                  )
                  AND (
                    CONTAINS(__shared_6, 'awscompromisedkeyquarantine')
                  )
                )
                OR (
                  (
                    __shared_1 = 'putuserpolicy'
                  )
                  AND (
                    (
                      STARTSWITH(__shared_7, 'awscompromisedkeyquarantine')
                    )
                    OR (
                      STARTSWITH(__shared_7, 'awsexposedcredentialpolicy')
                    )
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 18
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'config.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'stopconfigurationrecorder'
                  )
                  OR (
                    __shared_1 = 'deleteconfigurationrecorder'
                  )
                  OR (
                    __shared_1 = 'deletedeliverychannel'
                  )
                  OR (
                    __shared_1 = 'deleteconfigrule'
                  )
                  OR (
                    __shared_1 = 'deleteorganizationconfigrule'
                  )
                  OR (
                    __shared_1 = 'deleteconformancepack'
                  )
                  OR (
                    __shared_1 = 'deleteorganizationconformancepack'
                  )
                  OR (
                    __shared_1 = 'deleteconfigurationaggregator'
                  )
                  OR (
                    __shared_1 = 'deleteremediationconfiguration'
                  )
                  OR (
                    __shared_1 = 'deleteretentionconfiguration'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 19
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_1 = 'consolelogin'
                  ) OR (
                    __shared_1 = 'checkmfa'
                  )
                )
                AND (
                  __shared_8 = 'failure'
                )
              )
              OR (
                (
                  __shared_1 = 'consolelogin'
                )
                AND (
                  (
                    __shared_9 = 'failed authentication'
                  )
                  OR (
                    __shared_9 = 'no username found in supplied account'
                  )
                )
              )
              THEN 20
            END,
            CASE
              WHEN (
                __shared_1 = 'consolelogin'
              )
              AND (
                __shared_8 = 'failure'
              )
              AND (
                __shared_10 = 'yes'
              )
              THEN 21
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'consolelogin'
                )
                AND (
                  __shared_10 = 'no'
                )
                AND (
                  __shared_8 = 'success'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT (
                    __shared_11
                  ) IS NULL, FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE((
                    __shared_3 = 'assumedrole'
                  ) OR (
                    __shared_3 = 'federateduser'
                  ), FALSE)
                )
              )
              THEN 22
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_0 = 'rds.amazonaws.com'
                  )
                  AND (
                    (
                      __shared_1 = 'authorizedbsecuritygroupingress'
                    )
                    OR (
                      __shared_1 = 'createdbsecuritygroup'
                    )
                    OR (
                      __shared_1 = 'deletedbsecuritygroup'
                    )
                    OR (
                      __shared_1 = 'revokedbsecuritygroupingress'
                    )
                  )
                )
                OR (
                  (
                    __shared_0 = 'elasticache.amazonaws.com'
                  )
                  AND (
                    (
                      __shared_1 = 'createcachesecuritygroup'
                    )
                    OR (
                      __shared_1 = 'deletecachesecuritygroup'
                    )
                    OR (
                      __shared_1 = 'authorizecachesecuritygroupingress'
                    )
                    OR (
                      __shared_1 = 'revokecachesecuritygroupingress'
                    )
                    OR (
                      __shared_1 = 'authorizecachesecuritygroupegress'
                    )
                    OR (
                      __shared_1 = 'revokecachesecuritygroupegress'
                    )
                  )
                )
                OR (
                  (
                    __shared_0 = 'elasticloadbalancing.amazonaws.com'
                  )
                  AND (
                    (
                      __shared_1 = 'applysecuritygroupstoloadbalancer'
                    )
                    OR (
                      __shared_1 = 'setsecuritygroups'
                    )
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT user_invoked_by IS NULL, FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 24
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'route53resolver.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'deleteresolverquerylogconfig'
                  )
                  OR (
                    __shared_1 = 'disassociateresolverquerylogconfig'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 25
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'dynamodb.amazonaws.com'
                )
                AND (
                  __shared_1 = 'exporttabletopointintime'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 26
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'ec2.amazonaws.com'
                )
                AND (
                  __shared_1 = 'disableebsencryptionbydefault'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 27
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'createimage'
                )
                OR (
                  __shared_1 = 'createsnapshot'
                )
                OR (
                  __shared_1 = 'createsnapshots'
                )
                OR (
                  __shared_1 = 'copysnapshot'
                )
                OR (
                  __shared_1 = 'copyimage'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT user_invoked_by IS NULL, FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 28
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'ec2.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'modifyinstancemetadataoptions'
                  )
                  OR (
                    __shared_1 = 'modifyinstancemetadatadefaults'
                  )
                  OR (
                    __shared_1 = 'runinstances'
                  )
                )
              )
              AND (
                request_parameters RLIKE '(?i)"httpTokens"\\s*:\\s*"optional"'
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 29
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'ec2.amazonaws.com'
                ) AND (
                  __shared_1 = 'importkeypair'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 30
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'sendsshpublickey'
                )
                OR (
                  __shared_1 = 'sendserialconsolesshpublickey'
                )
                OR (
                  __shared_1 = 'enableserialconsoleaccess'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 31
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'ec2.amazonaws.com'
                )
                AND (
                  __shared_1 = 'terminateinstances'
                )
              )
              AND (
                NOT (
                  COALESCE(
                    (
                      NOT user_invoked_by IS NULL
                    )
                    OR (
                      ENDSWITH(__shared_12, '.amazonaws.com')
                    ),
                    FALSE
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 32
            END,
            CASE WHEN __shared_1 = 'getpassworddata' THEN 33 END,
            CASE
              WHEN (
                __shared_1 = 'stopinstances'
              )
              AND (
                NOT (
                  COALESCE(NOT user_invoked_by IS NULL, FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 34
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'ec2.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'createtrafficmirrorsession'
                  )
                  OR (
                    __shared_1 = 'createtrafficmirrortarget'
                  )
                  OR (
                    __shared_1 = 'createtrafficmirrorfilter'
                  )
                  OR (
                    __shared_1 = 'createtrafficmirrorfilterrule'
                  )
                  OR (
                    __shared_1 = 'modifytrafficmirrorsession'
                  )
                  OR (
                    __shared_1 = 'modifytrafficmirrorfilterrule'
                  )
                  OR (
                    __shared_1 = 'modifytrafficmirrorfilternetworkservices'
                  )
                  OR (
                    __shared_1 = 'deletetrafficmirrorsession'
                  )
                  OR (
                    __shared_1 = 'deletetrafficmirrortarget'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 35
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'runinstances'
                )
                OR (
                  __shared_1 = 'requestspotinstances'
                )
                OR (
                  __shared_1 = 'createfleet'
                )
              )
              AND (
                request_parameters RLIKE '"instanceType"\\s*:\\s*"(p[2-5]|g[3-6]|inf|trn|dl|x[12]|u-|[a-z0-9]+\\.metal|[a-z0-9]+\\.(12|16|18|24|32|48)xlarge)'
              )
              THEN 36
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_1 = 'modifyinstanceattribute'
                  )
                  AND (
                    NOT (
                      __shared_13
                    ) IS NULL
                  )
                )
                OR (
                  (
                    __shared_1 = 'modifyinstanceattribute'
                  ) AND (
                    __shared_14 = 'userdata'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 37
            END,
            CASE
              WHEN (
                __shared_1 = 'describeinstanceattribute'
              ) AND (
                __shared_14 = 'userdata'
              )
              THEN 38
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'ec2.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'createinstanceexporttask'
                  ) OR (
                    __shared_1 = 'exportimage'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 39
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'ecr.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'batchdeleteimage'
                  ) OR (
                    __shared_1 = 'deleterepository'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT user_invoked_by IS NULL, FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 40
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_0 = 'ecr.amazonaws.com'
                  )
                  AND (
                    __shared_1 = 'putimagescanningconfiguration'
                  )
                  AND (
                    request_parameters RLIKE '"scanOnPush"\\s*:\\s*false'
                  )
                )
                OR (
                  (
                    __shared_0 = 'ecr.amazonaws.com'
                  )
                  AND (
                    __shared_1 = 'putimagetagmutability'
                  )
                  AND (
                    request_parameters RLIKE '"imageTagMutability"\\s*:\\s*"MUTABLE"'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 41
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'ecr.amazonaws.com'
                )
                AND (
                  __shared_1 = 'putreplicationconfiguration'
                )
                AND (
                  request_parameters RLIKE '"registryId"\\s*:\\s*"\\d{12}"'
                )
              )
              AND (
                NOT (
                  COALESCE(CONTAINS(request_parameters, '"registryId":"111111111111"'), FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 42
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'ecs.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'registertaskdefinition'
                  )
                  OR (
                    __shared_1 = 'runtask'
                  )
                  OR (
                    __shared_1 = 'starttask'
                  )
                )
                AND (
                  CONTAINS(__shared_15, 'aws_container_credentials_relative_uri')
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 43
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'elasticfilesystem.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'deletefilesystem'
                  ) OR (
                    __shared_1 = 'deletemounttarget'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 44
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_0 = 'eks.amazonaws.com'
                  )
                  AND (
                    __shared_1 = 'associateaccesspolicy'
                  )
                  AND (
                    (
                      ENDSWITH(__shared_6, '/amazoneksclusteradminpolicy')
                    )
                    OR (
                      ENDSWITH(__shared_6, '/amazoneksadminpolicy')
                    )
                  )
                )
                OR (
                  (
                    __shared_0 = 'eks.amazonaws.com'
                  )
                  AND (
                    (
                      __shared_1 = 'createaccessentry'
                    ) OR (
                      __shared_1 = 'updateaccessentry'
                    )
                  )
                  AND (
                    CONTAINS(request_parameters, 'system:masters')
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 45
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'eks.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'createcluster'
                  ) OR (
                    __shared_1 = 'deletecluster'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 46
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'eks.amazonaws.com'
                )
                AND (
                  __shared_1 = 'updateclusterconfig'
                )
                AND (
                  request_parameters RLIKE '"clusterLogging".*"enabled"\\s*:\\s*false'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 47
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'events.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'disablerule'
                  )
                  OR (
                    __shared_1 = 'deleterule'
                  )
                  OR (
                    __shared_1 = 'removetargets'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(
                    (
                      STARTSWITH(__shared_16, 'autoscalingmanagedrule')
                    )
                    OR (
                      STARTSWITH(__shared_16, 'awsbackupmanagedrule')
                    )
                    OR (
                      STARTSWITH(__shared_16, 'do-not-delete-')
                    ),
                    FALSE
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT user_invoked_by IS NULL, FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 48
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'sts.amazonaws.com'
                )
                AND (
                  __shared_1 = 'getfederationtoken'
                )
              )
              AND (
                (
                  NOT (
                    __shared_17
                  ) IS NULL
                )
                OR (
                  NOT (
                    __shared_18
                  ) IS NULL
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 49
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'signin.amazonaws.com'
                ) AND (
                  __shared_1 = 'getsignintoken'
                )
              )
              AND (
                NOT (
                  COALESCE(
                    (
                      CONTAINS(__shared_19, ':role/aws-reserved/sso.amazonaws.com/')
                    )
                    OR (
                      CONTAINS(__shared_20, ':assumed-role/awsreservedsso_')
                    ),
                    FALSE
                  )
                )
              )
              AND (
                NOT (
                  COALESCE((
                    NOT error_code IS NULL
                  ) OR (
                    __shared_21 = 'failure'
                  ), FALSE)
                )
              )
              THEN 50
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'guardduty.amazonaws.com'
                )
                AND (
                  __shared_1 = 'updatedetector'
                )
                AND (
                  __shared_22 = 'false'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 51
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'guardduty.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'deletedetector'
                  )
                  OR (
                    __shared_1 = 'disassociatefrommasteraccount'
                  )
                  OR (
                    __shared_1 = 'disassociatefromadministratoraccount'
                  )
                  OR (
                    __shared_1 = 'stopmonitoringmembers'
                  )
                  OR (
                    __shared_1 = 'deletemembers'
                  )
                  OR (
                    __shared_1 = 'deletepublishingdestination'
                  )
                  OR (
                    __shared_1 = 'deletethreatintelset'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 52
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'guardduty.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'createipset'
                  )
                  OR (
                    __shared_1 = 'updateipset'
                  )
                  OR (
                    __shared_1 = 'createfilter'
                  )
                  OR (
                    __shared_1 = 'updatefilter'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 53
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'iam.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'deactivatemfadevice'
                  )
                  OR (
                    __shared_1 = 'deletevirtualmfadevice'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(__shared_3 = 'root', FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 54
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_0 = 'iam.amazonaws.com'
                  )
                  AND (
                    __shared_1 = 'deleteaccountpasswordpolicy'
                  )
                )
                OR (
                  (
                    (
                      __shared_0 = 'iam.amazonaws.com'
                    )
                    AND (
                      __shared_1 = 'updateaccountpasswordpolicy'
                    )
                  )
                  AND (
                    (
                      (
                        request_parameters RLIKE '"minimumPasswordLength"\\s*:\\s*([0-9]|1[0-3])\\s*[,}]'
                      )
                      OR (
                        request_parameters RLIKE '"require(Symbols|Numbers|UppercaseCharacters|LowercaseCharacters)"\\s*:\\s*false'
                      )
                    )
                    OR (
                      NOT (
                        COALESCE(CONTAINS(request_parameters, '"passwordReusePrevention"'), FALSE)
                      )
                    )
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 55
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'iam.amazonaws.com'
                ) AND (
                  __shared_1 = 'createrole'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 56
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'iam.amazonaws.com'
                )
                AND (
                  __shared_1 = 'addusertogroup'
                )
                AND (
                  __shared_23 RLIKE '(?i)(admin|poweruser|power-user|superuser|fullaccess|full-access|root|breakglass|break-glass)'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 57
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'iam.amazonaws.com'
                ) AND (
                  __shared_1 = 'createuser'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 58
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_0 = 'sso.amazonaws.com'
                  )
                  OR (
                    __shared_0 = 'sso-directory.amazonaws.com'
                  )
                )
                AND (
                  (
                    __shared_1 = 'associatedirectory'
                  )
                  OR (
                    __shared_1 = 'disassociatedirectory'
                  )
                  OR (
                    __shared_1 = 'enableexternalidpconfigurationfordirectory'
                  )
                  OR (
                    __shared_1 = 'disableexternalidpconfigurationfordirectory'
                  )
                  OR (
                    __shared_1 = 'createpermissionset'
                  )
                  OR (
                    __shared_1 = 'attachmanagedpolicytopermissionset'
                  )
                  OR (
                    __shared_1 = 'putinlinepolicytopermissionset'
                  )
                  OR (
                    __shared_1 = 'createaccountassignment'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 59
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'sso-directory.amazonaws.com'
                )
                AND (
                  __shared_1 = 'deletemfadeviceforuser'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 60
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'putuserpolicy'
                )
                OR (
                  __shared_1 = 'putrolepolicy'
                )
                OR (
                  __shared_1 = 'putgrouppolicy'
                )
                OR (
                  __shared_1 = 'createpolicyversion'
                )
                OR (
                  __shared_1 = 'createpolicy'
                )
              )
              AND (
                __shared_25 RLIKE '\\{\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{(?:[^{}]|\\{[^{}]*\\})*\\})\\s*,\\s*)*(?:"Effect"\\s*:\\s*"Allow"\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{(?:[^{}]|\\{[^{}]*\\})*\\})\\s*,\\s*)*"Action"\\s*:\\s*(?:"(?:\\*|iam:\\*|\\*:\\*)"|\\[[^\\]]*"(?:\\*|iam:\\*|\\*:\\*)"[^\\]]*\\])|"Action"\\s*:\\s*(?:"(?:\\*|iam:\\*|\\*:\\*)"|\\[[^\\]]*"(?:\\*|iam:\\*|\\*:\\*)"[^\\]]*\\])\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{(?:[^{}]|\\{[^{}]*\\})*\\})\\s*,\\s*)*"Effect"\\s*:\\s*"Allow")(?:\\s*,\\s*"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{(?:[^{}]|\\{[^{}]*\\})*\\}))*\\s*\\}'
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 62
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_0 = 'inspector2.amazonaws.com'
                  )
                  AND (
                    (
                      __shared_1 = 'disable'
                    )
                    OR (
                      __shared_1 = 'disabledelegatedadminaccount'
                    )
                    OR (
                      __shared_1 = 'disassociatemember'
                    )
                  )
                )
                OR (
                  (
                    __shared_0 = 'inspector.amazonaws.com'
                  )
                  AND (
                    (
                      __shared_1 = 'deleteassessmenttarget'
                    )
                    OR (
                      __shared_1 = 'deleteassessmenttemplate'
                    )
                    OR (
                      __shared_1 = 'stopassessmentrun'
                    )
                  )
                )
                OR (
                  (
                    __shared_0 = 'detective.amazonaws.com'
                  )
                  AND (
                    (
                      __shared_1 = 'deletegraph'
                    )
                    OR (
                      __shared_1 = 'disassociatemembership'
                    )
                    OR (
                      __shared_1 = 'deletemembers'
                    )
                    OR (
                      __shared_1 = 'disableorganizationadminaccount'
                    )
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 63
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'kms.amazonaws.com'
                )
                AND (
                  __shared_1 = 'creategrant'
                )
                AND (
                  __shared_26 RLIKE 'arn:aws[\\w-]*:iam::\\d{12}:'
                )
              )
              AND (
                NOT (
                  COALESCE(CONTAINS(__shared_26, '::111111111111:'), FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 65
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'kms.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'importkeymaterial'
                  )
                  OR (
                    __shared_1 = 'deleteimportedkeymaterial'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 66
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'kms.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'schedulekeydeletion'
                  ) OR (
                    __shared_1 = 'disablekey'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 67
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'kms.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'putkeypolicy'
                  ) OR (
                    __shared_1 = 'disablekeyrotation'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT user_invoked_by IS NULL, FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 68
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_1 = 'updatefunctioncode'
                  )
                  OR (
                    __shared_1 = 'updatefunctioncode20150331'
                  )
                  OR (
                    __shared_1 = 'updatefunctioncode20150331v2'
                  )
                )
                OR (
                  (
                    (
                      __shared_1 = 'updatefunctionconfiguration'
                    )
                    OR (
                      __shared_1 = 'updatefunctionconfiguration20150331'
                    )
                    OR (
                      __shared_1 = 'updatefunctionconfiguration20150331v2'
                    )
                  )
                  AND (
                    NOT (
                      __shared_27
                    ) IS NULL
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 69
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'lambda.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'updatefunctionconfiguration'
                  )
                  OR (
                    __shared_1 = 'updatefunctionconfiguration20150331'
                  )
                  OR (
                    __shared_1 = 'updatefunctionconfiguration20150331v2'
                  )
                  OR (
                    __shared_1 = 'createfunction'
                  )
                  OR (
                    __shared_1 = 'createfunction20150331'
                  )
                )
                AND (
                  __shared_27 RLIKE 'arn:aws[\\w-]*:lambda:[\\w-]+:\\d{12}:layer:'
                )
              )
              AND (
                NOT (
                  COALESCE(CONTAINS(__shared_27, ':111111111111:layer:'), FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 70
            END,
            CASE
              WHEN (
                (
                  (
                    (
                      __shared_0 = 'lambda.amazonaws.com'
                    )
                    AND (
                      (
                        __shared_1 = 'addpermission'
                      )
                      OR (
                        __shared_1 = 'addpermission20150331'
                      )
                      OR (
                        __shared_1 = 'addpermission20150331v2'
                      )
                    )
                  )
                  AND (
                    __shared_28 RLIKE '^(arn:aws[\\w-]*:iam::)?\\d{12}'
                  )
                  AND (
                    NOT (
                      COALESCE(CONTAINS(__shared_28, '111111111111'), FALSE)
                    )
                  )
                )
                OR (
                  (
                    (
                      __shared_0 = 'lambda.amazonaws.com'
                    )
                    AND (
                      (
                        __shared_1 = 'addlayerversionpermission'
                      )
                      OR (
                        __shared_1 = 'addlayerversionpermission20181031'
                      )
                    )
                  )
                  AND (
                    (
                      (
                        __shared_28 RLIKE '^(arn:aws[\\w-]*:iam::)?\\d{12}'
                      )
                      AND (
                        NOT (
                          COALESCE(CONTAINS(__shared_28, '111111111111'), FALSE)
                        )
                      )
                    )
                    OR (
                      (
                        __shared_29 = '*'
                      )
                      AND (
                        NOT (
                          COALESCE(NOT (
                            __shared_30
                          ) IS NULL, FALSE)
                        )
                      )
                    )
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 71
            END,
            CASE
              WHEN (
                (
                  (
                    (
                      (
                        __shared_1 = 'addpermission'
                      )
                      OR (
                        __shared_1 = 'addpermission20150331'
                      )
                      OR (
                        __shared_1 = 'addpermission20150331v2'
                      )
                    )
                    AND (
                      __shared_29 = '*'
                    )
                  )
                  AND (
                    NOT (
                      COALESCE(NOT (
                        __shared_31
                      ) IS NULL, FALSE)
                    )
                  )
                )
                OR (
                  (
                    (
                      __shared_1 = 'createfunctionurlconfig'
                    )
                    OR (
                      __shared_1 = 'createfunctionurlconfig20211031'
                    )
                    OR (
                      __shared_1 = 'updatefunctionurlconfig'
                    )
                    OR (
                      __shared_1 = 'updatefunctionurlconfig20211031'
                    )
                  )
                  AND (
                    __shared_32 = 'none'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 72
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'createloginprofile'
                )
                OR (
                  __shared_1 = 'updateloginprofile'
                )
              )
              AND (
                NOT (
                  COALESCE(request_user_name IS NULL, FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE((
                    __shared_3 = 'iamuser'
                  ) AND (
                    __shared_4 = __shared_5
                  ), FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 73
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_0 = 'macie2.amazonaws.com'
                  )
                  OR (
                    __shared_0 = 'macie.amazonaws.com'
                  )
                )
                AND (
                  (
                    __shared_1 = 'disablemacie'
                  )
                  OR (
                    __shared_1 = 'updatemaciesession'
                  )
                  OR (
                    __shared_1 = 'disassociatefrommasteraccount'
                  )
                  OR (
                    __shared_1 = 'deletemember'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 74
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_1 = 'createnetworkaclentry'
                  )
                  OR (
                    __shared_1 = 'replacenetworkaclentry'
                  )
                )
                AND (
                  __shared_33 = '0.0.0.0/0'
                )
                AND (
                  __shared_34 = 'allow'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 75
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'organizations.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'detachpolicy'
                  )
                  OR (
                    __shared_1 = 'deletepolicy'
                  )
                  OR (
                    __shared_1 = 'updatepolicy'
                  )
                  OR (
                    __shared_1 = 'disablepolicytype'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 76
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'organizations.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'leaveorganization'
                  )
                  OR (
                    __shared_1 = 'removeaccountfromorganization'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 77
            END,
            CASE
              WHEN (
                __shared_0 = 'organizations.amazonaws.com'
              )
              AND (
                __shared_1 = 'leaveorganization'
              )
              THEN 78
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'organizations.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'inviteaccounttoorganization'
                  )
                  OR (
                    __shared_1 = 'accepthandshake'
                  )
                  OR (
                    __shared_1 = 'createaccount'
                  )
                  OR (
                    __shared_1 = 'creategovcloudaccount'
                  )
                  OR (
                    __shared_1 = 'closeaccount'
                  )
                  OR (
                    __shared_1 = 'deleteorganization'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 79
            END,
            CASE
              WHEN (
                (
                  (
                    (
                      __shared_1 = 'createfunction'
                    )
                    OR (
                      __shared_1 = 'createfunction20150331'
                    )
                    OR (
                      __shared_1 = 'updatefunctionconfiguration'
                    )
                    OR (
                      __shared_1 = 'updatefunctionconfiguration20150331'
                    )
                    OR (
                      __shared_1 = 'updatefunctionconfiguration20150331v2'
                    )
                  )
                  AND (
                    NOT (
                      __shared_35
                    ) IS NULL
                  )
                )
                OR (
                  (
                    (
                      __shared_1 = 'runinstances'
                    )
                    OR (
                      __shared_1 = 'associateiaminstanceprofile'
                    )
                    OR (
                      __shared_1 = 'replaceiaminstanceprofileassociation'
                    )
                  )
                  AND (
                    NOT (
                      __shared_36
                    ) IS NULL
                  )
                )
                OR (
                  (
                    (
                      __shared_1 = 'createdevendpoint'
                    )
                    OR (
                      __shared_1 = 'updatedevendpoint'
                    )
                    OR (
                      __shared_1 = 'createjob'
                    )
                  )
                  AND (
                    __shared_0 = 'glue.amazonaws.com'
                  )
                )
                OR (
                  (
                    (
                      __shared_1 = 'createnotebookinstance'
                    ) OR (
                      __shared_1 = 'createstack'
                    )
                  )
                  AND (
                    NOT (
                      __shared_37
                    ) IS NULL
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 80
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'signin.amazonaws.com'
                )
                AND (
                  __shared_1 = 'passwordrecoveryrequested'
                )
              )
              AND (
                NOT (
                  COALESCE((
                    NOT error_code IS NULL
                  ) OR (
                    __shared_38 = 'failure'
                  ), FALSE)
                )
              )
              THEN 81
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'iam.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'attachuserpolicy'
                  )
                  OR (
                    __shared_1 = 'attachrolepolicy'
                  )
                  OR (
                    __shared_1 = 'attachgrouppolicy'
                  )
                  OR (
                    __shared_1 = 'putuserpolicy'
                  )
                  OR (
                    __shared_1 = 'putrolepolicy'
                  )
                  OR (
                    __shared_1 = 'putgrouppolicy'
                  )
                  OR (
                    __shared_1 = 'setdefaultpolicyversion'
                  )
                  OR (
                    __shared_1 = 'addusertogroup'
                  )
                  OR (
                    __shared_1 = 'createpolicyversion'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 82
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'rds.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'deletedbinstance'
                  )
                  OR (
                    __shared_1 = 'deletedbcluster'
                  )
                  OR (
                    __shared_1 = 'stopdbinstance'
                  )
                  OR (
                    __shared_1 = 'stopdbcluster'
                  )
                  OR (
                    __shared_1 = 'deletedbinstanceautomatedbackup'
                  )
                  OR (
                    __shared_1 = 'deletedbclusterautomatedbackup'
                  )
                  OR (
                    __shared_1 = 'deleteglobalcluster'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 83
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'rds.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'createdbinstance'
                  )
                  OR (
                    __shared_1 = 'modifydbinstance'
                  )
                  OR (
                    __shared_1 = 'modifydbcluster'
                  )
                  OR (
                    __shared_1 = 'restoredbinstancefromdbsnapshot'
                  )
                  OR (
                    __shared_1 = 'restoredbinstancetopointintime'
                  )
                  OR (
                    __shared_1 = 'restoredbclusterfromsnapshot'
                  )
                )
              )
              AND (
                (
                  __shared_39 = 'true'
                )
                OR (
                  (
                    STARTSWITH(__shared_1, 'restore')
                  ) AND (
                    __shared_40 = 'true'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 84
            END,
            CASE
              WHEN (
                (
                  (
                    (
                      __shared_1 = 'modifydbinstance'
                    ) OR (
                      __shared_1 = 'modifydbcluster'
                    )
                  )
                  AND (
                    __shared_41 = 'false'
                  )
                )
                OR (
                  (
                    (
                      __shared_1 = 'modifydbinstance'
                    ) OR (
                      __shared_1 = 'modifydbcluster'
                    )
                  )
                  AND (
                    NOT (
                      __shared_42
                    ) IS NULL
                  )
                )
                OR (
                  (
                    __shared_1 = 'addroletodbinstance'
                  )
                  OR (
                    __shared_1 = 'addroletodbcluster'
                  )
                )
                OR (
                  __shared_1 = 'stopactivitystream'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 85
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'rds.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'createdbsnapshot'
                  )
                  OR (
                    __shared_1 = 'createdbclustersnapshot'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT user_invoked_by IS NULL, FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE((
                    __shared_43 = 'automated'
                  ) OR (
                    __shared_43 = 'awsbackup'
                  ), FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 86
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_1 = 'deletedbsnapshot'
                  )
                  OR (
                    __shared_1 = 'deletedbclustersnapshot'
                  )
                )
                OR (
                  (
                    (
                      __shared_1 = 'describedbsnapshots'
                    )
                    OR (
                      __shared_1 = 'describedbclustersnapshots'
                    )
                  )
                  AND (
                    __shared_44 = 'true'
                  )
                )
                OR (
                  (
                    (
                      __shared_1 = 'describedbsnapshots'
                    )
                    OR (
                      __shared_1 = 'describedbclustersnapshots'
                    )
                  )
                  AND (
                    __shared_45 = 'true'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 87
            END,
            CASE
              WHEN (
                (
                  (
                    (
                      __shared_1 = 'copydbsnapshot'
                    ) OR (
                      __shared_1 = 'copydbclustersnapshot'
                    )
                  )
                  AND (
                    STARTSWITH(__shared_46, 'arn:')
                  )
                )
                OR (
                  (
                    __shared_1 = 'copydbclustersnapshot'
                  )
                  AND (
                    STARTSWITH(__shared_47, 'arn:')
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 88
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'rds.amazonaws.com'
                ) AND (
                  __shared_1 = 'startexporttask'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 89
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_1 = 'modifydbsnapshotattribute'
                  )
                  OR (
                    __shared_1 = 'modifydbclustersnapshotattribute'
                  )
                )
                AND (
                  NOT (
                    __shared_48
                  ) IS NULL
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 90
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'rds.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'createdbsnapshot'
                  )
                  OR (
                    __shared_1 = 'createdbclustersnapshot'
                  )
                )
              )
              AND (
                (
                  __shared_49 = 'false'
                ) OR (
                  __shared_50 = 'false'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT user_invoked_by IS NULL, FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE((
                    __shared_43 = 'automated'
                  ) OR (
                    __shared_43 = 'awsbackup'
                  ), FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 91
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_0 = 'redshift.amazonaws.com'
                  )
                  AND (
                    (
                      __shared_1 = 'createcluster'
                    )
                    OR (
                      __shared_1 = 'modifycluster'
                    )
                    OR (
                      __shared_1 = 'restorefromclustersnapshot'
                    )
                  )
                  AND (
                    __shared_39 = 'true'
                  )
                )
                OR (
                  (
                    (
                      __shared_0 = 'redshift.amazonaws.com'
                    )
                    AND (
                      __shared_1 = 'authorizesnapshotaccess'
                    )
                  )
                  AND (
                    NOT (
                      COALESCE(__shared_51 = '111111111111', FALSE)
                    )
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 92
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'account.amazonaws.com'
                ) AND (
                  __shared_1 = 'enableregion'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 93
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'putkeypolicy'
                )
                OR (
                  __shared_1 = 'createkey'
                )
                OR (
                  __shared_1 = 'setqueueattributes'
                )
                OR (
                  __shared_1 = 'createqueue'
                )
                OR (
                  __shared_1 = 'settopicattributes'
                )
                OR (
                  __shared_1 = 'createtopic'
                )
                OR (
                  __shared_1 = 'setrepositorypolicy'
                )
                OR (
                  __shared_1 = 'putrepositorypermissionspolicy'
                )
                OR (
                  __shared_1 = 'putresourcepolicy'
                )
                OR (
                  __shared_1 = 'putbackupvaultaccesspolicy'
                )
                OR (
                  __shared_1 = 'putfilesystempolicy'
                )
                OR (
                  __shared_1 = 'setvaultaccesspolicy'
                )
                OR (
                  __shared_1 = 'putdestinationpolicy'
                )
                OR (
                  __shared_1 = 'createelasticsearchdomain'
                )
                OR (
                  __shared_1 = 'updateelasticsearchdomainconfig'
                )
                OR (
                  __shared_1 = 'createdomain'
                )
                OR (
                  __shared_1 = 'updatedomainconfig'
                )
              )
              AND (
                (
                  __shared_17 RLIKE '\\{\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*(?:"Effect"\\s*:\\s*"Allow"\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})|"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Effect"\\s*:\\s*"Allow")(?:\\s*,\\s*"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\}))*\\s*\\}'
                )
                OR (
                  __shared_52 RLIKE '\\{\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*(?:"Effect"\\s*:\\s*"Allow"\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})|"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Effect"\\s*:\\s*"Allow")(?:\\s*,\\s*"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\}))*\\s*\\}'
                )
                OR (
                  __shared_53 RLIKE '\\{\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*(?:"Effect"\\s*:\\s*"Allow"\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})|"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Effect"\\s*:\\s*"Allow")(?:\\s*,\\s*"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\}))*\\s*\\}'
                )
                OR (
                  __shared_54 RLIKE '\\{\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*(?:"Effect"\\s*:\\s*"Allow"\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})|"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Effect"\\s*:\\s*"Allow")(?:\\s*,\\s*"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\}))*\\s*\\}'
                )
                OR (
                  __shared_55 RLIKE '\\{\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*(?:"Effect"\\s*:\\s*"Allow"\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})|"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Effect"\\s*:\\s*"Allow")(?:\\s*,\\s*"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\}))*\\s*\\}'
                )
                OR (
                  __shared_25 RLIKE '\\{\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*(?:"Effect"\\s*:\\s*"Allow"\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})|"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Effect"\\s*:\\s*"Allow")(?:\\s*,\\s*"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\}))*\\s*\\}'
                )
                OR (
                  __shared_56 RLIKE '\\{\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*(?:"Effect"\\s*:\\s*"Allow"\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})|"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Effect"\\s*:\\s*"Allow")(?:\\s*,\\s*"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\}))*\\s*\\}'
                )
                OR (
                  __shared_57 RLIKE '\\{\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*(?:"Effect"\\s*:\\s*"Allow"\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})|"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Effect"\\s*:\\s*"Allow")(?:\\s*,\\s*"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\}))*\\s*\\}'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 94
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'iam.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'createrole'
                  ) OR (
                    __shared_1 = 'updateassumerolepolicy'
                  )
                )
              )
              AND (
                (
                  CONTAINS(__shared_58, 'token.actions.githubusercontent.com')
                )
                OR (
                  CONTAINS(__shared_59, 'token.actions.githubusercontent.com')
                )
              )
              AND (
                NOT (
                  COALESCE(
                    (
                      CONTAINS(__shared_58, 'token.actions.githubusercontent.com:sub')
                    )
                    OR (
                      CONTAINS(__shared_59, 'token.actions.githubusercontent.com:sub')
                    ),
                    FALSE
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 95
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_1 = 'updateassumerolepolicy'
                  )
                  AND (
                    (
                      __shared_25 RLIKE '\\{\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*(?:"Effect"\\s*:\\s*"Allow"\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})|"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Effect"\\s*:\\s*"Allow")(?:\\s*,\\s*"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\}))*\\s*\\}'
                    )
                    OR (
                      (
                        __shared_25 RLIKE '"AWS"\\s*:\\s*(?:\\[[^\\]]*)?"(?:arn:aws[\\w-]*:iam::)?\\d{12}[:"]'
                      )
                      AND (
                        NOT (
                          COALESCE(
                            (
                              CONTAINS(__shared_25, 'arn:aws:iam::111111111111:')
                            )
                            OR (
                              CONTAINS(__shared_25, '"111111111111"')
                            ),
                            FALSE
                          )
                        )
                      )
                    )
                  )
                )
                OR (
                  (
                    __shared_1 = 'createrole'
                  )
                  AND (
                    (
                      __shared_60 RLIKE '\\{\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*(?:"Effect"\\s*:\\s*"Allow"\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})|"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Effect"\\s*:\\s*"Allow")(?:\\s*,\\s*"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\}))*\\s*\\}'
                    )
                    OR (
                      (
                        __shared_60 RLIKE '"AWS"\\s*:\\s*(?:\\[[^\\]]*)?"(?:arn:aws[\\w-]*:iam::)?\\d{12}[:"]'
                      )
                      AND (
                        NOT (
                          COALESCE(
                            (
                              CONTAINS(__shared_60, 'arn:aws:iam::111111111111:')
                            )
                            OR (
                              CONTAINS(__shared_60, '"111111111111"')
                            ),
                            FALSE
                          )
                        )
                      )
                    )
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 96
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'rolesanywhere.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'createtrustanchor'
                  )
                  OR (
                    __shared_1 = 'createprofile'
                  )
                  OR (
                    __shared_1 = 'updatetrustanchor'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 97
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'consolelogin'
                ) AND (
                  __shared_3 = 'root'
                )
              )
              AND (
                NOT (
                  COALESCE(
                    (
                      __shared_8 = 'failure'
                    )
                    OR (
                      NOT error_message IS NULL
                    )
                    OR (
                      NOT error_code IS NULL
                    ),
                    FALSE
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(__shared_10 = 'yes', FALSE)
                )
              )
              THEN 99
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'consolelogin'
                ) AND (
                  __shared_3 = 'root'
                )
              )
              AND (
                (
                  __shared_8 = 'failure'
                ) OR (
                  NOT error_message IS NULL
                )
              )
              THEN 100
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'consolelogin'
                )
                AND (
                  __shared_3 = 'root'
                )
                AND (
                  __shared_10 = 'yes'
                )
              )
              AND (
                NOT (
                  COALESCE(
                    (
                      __shared_8 = 'failure'
                    )
                    OR (
                      NOT error_message IS NULL
                    )
                    OR (
                      NOT error_code IS NULL
                    ),
                    FALSE
                  )
                )
              )
              THEN 101
            END,
            CASE
              WHEN (
                (
                  __shared_3 = 'root'
                )
                AND (
                  (
                    __shared_1 = 'passwordupdated'
                  )
                  OR (
                    __shared_1 = 'passwordrecoverycompleted'
                  )
                  OR (
                    __shared_1 = 'createvirtualmfadevice'
                  )
                  OR (
                    __shared_1 = 'deactivatemfadevice'
                  )
                  OR (
                    __shared_1 = 'createaccesskey'
                  )
                  OR (
                    __shared_1 = 'enablemfadevice'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(
                    (
                      NOT error_code IS NULL
                    )
                    OR (
                      __shared_63 = 'failure'
                    )
                    OR (
                      __shared_64 = 'failure'
                    ),
                    FALSE
                  )
                )
              )
              THEN 102
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'sts.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'getsessiontoken'
                  ) OR (
                    __shared_1 = 'getfederationtoken'
                  )
                )
                AND (
                  __shared_3 = 'root'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 103
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'route53domains.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'disabledomaintransferlock'
                  )
                  OR (
                    __shared_1 = 'transferdomaintoanotherawsaccount'
                  )
                  OR (
                    __shared_1 = 'transferdomain'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 104
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'route53.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'associatevpcwithhostedzone'
                  )
                  OR (
                    __shared_1 = 'createvpcassociationauthorization'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 105
            END,
            CASE
              WHEN (
                __shared_1 = 'putbucketacl'
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 106
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_1 = 'putbucketacl'
                  )
                  OR (
                    __shared_1 = 'putobjectacl'
                  )
                  OR (
                    __shared_1 = 'createbucket'
                  )
                )
                AND (
                  (
                    CONTAINS(__shared_15, 'allusers')
                  )
                  OR (
                    CONTAINS(__shared_15, 'authenticatedusers')
                  )
                  OR (
                    CONTAINS(__shared_15, 'public-read')
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 107
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 's3.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'deletebucketpublicaccessblock'
                  )
                  OR (
                    __shared_1 = 'deleteaccountpublicaccessblock'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 108
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 's3.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'deletebucketpolicy'
                  )
                  OR (
                    __shared_1 = 'deletebucketreplication'
                  )
                  OR (
                    __shared_1 = 'deletebucketlifecycle'
                  )
                  OR (
                    __shared_1 = 'deletebucketcors'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 109
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 's3.amazonaws.com'
                ) AND (
                  __shared_1 = 'putbucketpolicy'
                )
              )
              AND (
                __shared_65 RLIKE '"AWS"\\s*:\\s*(?:\\[[^\\]]*)?"(?:arn:aws[\\w-]*:iam::)?\\d{12}[:"]'
              )
              AND (
                NOT (
                  COALESCE(
                    (
                      CONTAINS(__shared_65, 'arn:aws:iam::111111111111:')
                    )
                    OR (
                      CONTAINS(__shared_65, '"111111111111"')
                    ),
                    FALSE
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 110
            END,
            CASE
              WHEN (
                __shared_1 = 'putbucketpolicy'
              )
              AND (
                __shared_65 RLIKE '\\{\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*(?:"Effect"\\s*:\\s*"Allow"\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})|"Principal"\\s*:\\s*(?:"\\*"|\\{[^{}]*"AWS"\\s*:\\s*(?:"\\*"|\\[[^\\]]*"\\*"[^\\]]*\\])[^{}]*\\})\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Effect"\\s*:\\s*"Allow")(?:\\s*,\\s*"\\w+"\\s*:\\s*(?:"[^"]*"|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\}))*\\s*\\}'
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 111
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'deleteobjects'
                ) OR (
                  __shared_1 = 'deletebucket'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 112
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_1 = 'putbucketencryption'
                  )
                  AND (
                    request_parameters RLIKE '"KMSMasterKeyID"\\s*:\\s*"arn:aws[\\w-]*:kms:[\\w-]+:\\d{12}:'
                  )
                )
                OR (
                  (
                    (
                      __shared_1 = 'putobject'
                    )
                    OR (
                      __shared_1 = 'copyobject'
                    )
                    OR (
                      __shared_1 = 'createmultipartupload'
                    )
                  )
                  AND (
                    request_parameters RLIKE '"x-amz-server-side-encryption-aws-kms-key-id"\\s*:\\s*"arn:aws[\\w-]*:kms:[\\w-]+:\\d{12}:'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(
                    (
                      CONTAINS(request_parameters, ':111111111111:key/')
                    )
                    OR (
                      CONTAINS(request_parameters, ':111111111111:alias/')
                    ),
                    FALSE
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 113
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_1 = 'deletebucketencryption'
                  )
                  AND (
                    NOT request_bucket_name IS NULL
                  )
                )
                OR (
                  (
                    (
                      __shared_1 = 'copyobject'
                    ) OR (
                      __shared_1 = 'putobject'
                    )
                  )
                  AND (
                    NOT (
                      __shared_66
                    ) IS NULL
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 114
            END,
            CASE
              WHEN (
                (
                  (
                    (
                      __shared_1 = 'putbucketlogging'
                    ) AND (
                      NOT (
                        __shared_67
                      ) IS NULL
                    )
                  )
                  AND (
                    NOT (
                      COALESCE(NOT (
                        __shared_68
                      ) IS NULL, FALSE)
                    )
                  )
                )
                OR (
                  (
                    (
                      __shared_1 = 'putbucketlifecycle'
                    )
                    OR (
                      __shared_1 = 'putbucketlifecycleconfiguration'
                    )
                  )
                  AND (
                    request_parameters RLIKE '\\{\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|-?\\d+|true|false|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*(?:"Status"\\s*:\\s*"Enabled"\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|-?\\d+|true|false|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"(?:Expiration|NoncurrentVersionExpiration)"\\s*:\\s*\\{[^{}]*"(?:Noncurrent)?Days"\\s*:\\s*"?[1-7]"?\\s*(?:,[^{}]*)?\\}|"(?:Expiration|NoncurrentVersionExpiration)"\\s*:\\s*\\{[^{}]*"(?:Noncurrent)?Days"\\s*:\\s*"?[1-7]"?\\s*(?:,[^{}]*)?\\}\\s*,\\s*(?:"\\w+"\\s*:\\s*(?:"[^"]*"|-?\\d+|true|false|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\})\\s*,\\s*)*"Status"\\s*:\\s*"Enabled")(?:\\s*,\\s*"\\w+"\\s*:\\s*(?:"[^"]*"|-?\\d+|true|false|\\[[^\\[\\]{}]*\\]|\\{[^{}]*\\}))*\\s*\\}'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 115
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 's3.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'deleteobject'
                  ) OR (
                    __shared_1 = 'deleteobjects'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT user_invoked_by IS NULL, FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 116
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_1 = 'putbucketpublicaccessblock'
                  )
                  OR (
                    __shared_1 = 'putaccountpublicaccessblock'
                  )
                )
                AND (
                  request_parameters RLIKE '"(BlockPublicPolicy|RestrictPublicBuckets|BlockPublicAcls|IgnorePublicAcls)":\\s*false'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 117
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 's3.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'putobject'
                  ) OR (
                    __shared_1 = 'copyobject'
                  )
                )
                AND (
                  request_key RLIKE '(?i)(ransom|decrypt[-_ .]?(your|my|all)?[-_ .]?files|how[-_ .]?to[-_ .]?(decrypt|recover|restore|get[-_ .]?back)|restore[-_ .]?your[-_ .]?(data|files)|your[-_ .]?files[-_ .]?(are|were|have))'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 118
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 's3.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'putbucketreplication'
                  )
                  OR (
                    __shared_1 = 'putreplicationconfiguration'
                  )
                )
              )
              AND (
                request_parameters RLIKE '"Account"\\s*:\\s*"?\\d{12}'
              )
              AND (
                NOT (
                  COALESCE(CONTAINS(request_parameters, '"Account":"111111111111"'), FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 119
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'putbucketreplication'
                )
                OR (
                  __shared_1 = 'putreplicationconfiguration'
                )
                OR (
                  __shared_1 = 'putbucketwebsite'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 120
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 's3.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'listobjects'
                  )
                  OR (
                    __shared_1 = 'listobjectsv2'
                  )
                  OR (
                    __shared_1 = 'listobjectversions'
                  )
                )
                AND (
                  __shared_69 = 'anonymous'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 121
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'putbucketversioning'
                )
                AND (
                  (
                    CONTAINS(__shared_15, '"status":"suspended"')
                  )
                  OR (
                    CONTAINS(__shared_15, '"status":"disabled"')
                  )
                  OR (
                    CONTAINS(__shared_15, '"mfadelete":"disabled"')
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 122
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'iam.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'createsamlprovider'
                  )
                  OR (
                    __shared_1 = 'updatesamlprovider'
                  )
                  OR (
                    __shared_1 = 'createopenidconnectprovider'
                  )
                  OR (
                    __shared_1 = 'updateopenidconnectproviderthumbprint'
                  )
                  OR (
                    __shared_1 = 'addclientidtoopenidconnectprovider'
                  )
                  OR (
                    __shared_1 = 'deletesamlprovider'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 123
            END,
            CASE WHEN __shared_1 = 'getsecretvalue' THEN 124 END,
            CASE
              WHEN (
                __shared_1 = 'batchgetsecretvalue'
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 125
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'authorizesecuritygroupingress'
                )
                OR (
                  __shared_1 = 'authorizesecuritygroupegress'
                )
                OR (
                  __shared_1 = 'revokesecuritygroupingress'
                )
                OR (
                  __shared_1 = 'revokesecuritygroupegress'
                )
                OR (
                  __shared_1 = 'createsecuritygroup'
                )
                OR (
                  __shared_1 = 'deletesecuritygroup'
                )
                OR (
                  __shared_1 = 'modifysecuritygrouprules'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT user_invoked_by IS NULL, FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 126
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'authorizesecuritygroupingress'
                )
                OR (
                  __shared_1 = 'modifysecuritygrouprules'
                )
              )
              AND (
                (
                  request_parameters RLIKE '(?i)"cidr(ip|ipv4)"\\s*:\\s*"(?:(?:[0-9]|1[1-9]|[2-9][0-9]|1[0-6][0-9]|17[013-9]|18[0-9]|19[013-9]|2[0-9][0-9])\\.|172\\.(?:[0-9]|1[0-5]|3[2-9]|[4-9][0-9]|[12][0-9][0-9])\\.|192\\.(?:[0-9]|[1-9][0-9]|1[0-57-9][0-9]|16[0-79]|2[0-9][0-9])\\.)'
                )
                OR (
                  request_parameters RLIKE '(?i)"cidripv6"\\s*:\\s*"(?:[0-9a-e]|f[0-9abe-f:])'
                )
              )
              AND (
                NOT (
                  COALESCE(
                    request_parameters RLIKE '(?i)"cidr(ip|ipv4|ipv6|block)?"\\s*:\\s*"[0-9a-f.:]+/0"',
                    FALSE
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 127
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'authorizesecuritygroupingress'
                )
                OR (
                  __shared_1 = 'modifysecuritygrouprules'
                )
              )
              AND (
                request_parameters RLIKE '(?i)"cidr(ip|ipv4|ipv6|block)?"\\s*:\\s*"[0-9a-f.:]+/0"'
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 128
            END,
            CASE
              WHEN (
                (
                  (
                    (
                      __shared_0 = 'cloudtrail.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'guardduty.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'config.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'securityhub.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'kms.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'macie2.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'macie.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'inspector2.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'inspector.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'access-analyzer.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'detective.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'wafv2.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'waf.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'waf-regional.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'shield.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'fms.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'route53resolver.amazonaws.com'
                    )
                  )
                  AND (
                    (
                      __shared_1 = 'stoplogging'
                    )
                    OR (
                      __shared_1 = 'deletetrail'
                    )
                    OR (
                      __shared_1 = 'deleteeventdatastore'
                    )
                    OR (
                      __shared_1 = 'stopeventdatastoreingestion'
                    )
                    OR (
                      __shared_1 = 'deletechannel'
                    )
                    OR (
                      __shared_1 = 'deletedetector'
                    )
                    OR (
                      __shared_1 = 'disassociatefrommasteraccount'
                    )
                    OR (
                      __shared_1 = 'disassociatefromadministratoraccount'
                    )
                    OR (
                      __shared_1 = 'disassociatemembers'
                    )
                    OR (
                      __shared_1 = 'stopmonitoringmembers'
                    )
                    OR (
                      __shared_1 = 'deletemembers'
                    )
                    OR (
                      __shared_1 = 'deletepublishingdestination'
                    )
                    OR (
                      __shared_1 = 'deletethreatintelset'
                    )
                    OR (
                      __shared_1 = 'deleteipset'
                    )
                    OR (
                      __shared_1 = 'deletefilter'
                    )
                    OR (
                      __shared_1 = 'disableorganizationadminaccount'
                    )
                    OR (
                      __shared_1 = 'stopconfigurationrecorder'
                    )
                    OR (
                      __shared_1 = 'deleteconfigurationrecorder'
                    )
                    OR (
                      __shared_1 = 'deletedeliverychannel'
                    )
                    OR (
                      __shared_1 = 'deleteconfigrule'
                    )
                    OR (
                      __shared_1 = 'deleteorganizationconfigrule'
                    )
                    OR (
                      __shared_1 = 'deleteconformancepack'
                    )
                    OR (
                      __shared_1 = 'deleteorganizationconformancepack'
                    )
                    OR (
                      __shared_1 = 'deleteconfigurationaggregator'
                    )
                    OR (
                      __shared_1 = 'deleteremediationconfiguration'
                    )
                    OR (
                      __shared_1 = 'deleteretentionconfiguration'
                    )
                    OR (
                      __shared_1 = 'disablesecurityhub'
                    )
                    OR (
                      __shared_1 = 'batchdisablestandards'
                    )
                    OR (
                      __shared_1 = 'disableimportfindingsforproduct'
                    )
                    OR (
                      __shared_1 = 'deleteinsight'
                    )
                    OR (
                      __shared_1 = 'deleteactiontarget'
                    )
                    OR (
                      __shared_1 = 'schedulekeydeletion'
                    )
                    OR (
                      __shared_1 = 'disablekey'
                    )
                    OR (
                      __shared_1 = 'disablekeyrotation'
                    )
                    OR (
                      __shared_1 = 'deletealias'
                    )
                    OR (
                      __shared_1 = 'deleteimportedkeymaterial'
                    )
                    OR (
                      __shared_1 = 'disablemacie'
                    )
                    OR (
                      __shared_1 = 'deletemember'
                    )
                    OR (
                      __shared_1 = 'disassociatemember'
                    )
                    OR (
                      __shared_1 = 'disable'
                    )
                    OR (
                      __shared_1 = 'disabledelegatedadminaccount'
                    )
                    OR (
                      __shared_1 = 'deleteassessmenttarget'
                    )
                    OR (
                      __shared_1 = 'deleteassessmenttemplate'
                    )
                    OR (
                      __shared_1 = 'stopassessmentrun'
                    )
                    OR (
                      __shared_1 = 'deleteanalyzer'
                    )
                    OR (
                      __shared_1 = 'deletegraph'
                    )
                    OR (
                      __shared_1 = 'disassociatemembership'
                    )
                    OR (
                      __shared_1 = 'deletewebacl'
                    )
                    OR (
                      __shared_1 = 'deleterulegroup'
                    )
                    OR (
                      __shared_1 = 'deleterule'
                    )
                    OR (
                      __shared_1 = 'disassociatewebacl'
                    )
                    OR (
                      __shared_1 = 'deleteloggingconfiguration'
                    )
                    OR (
                      __shared_1 = 'deleteprotection'
                    )
                    OR (
                      __shared_1 = 'deleteprotectiongroup'
                    )
                    OR (
                      __shared_1 = 'deletesubscription'
                    )
                    OR (
                      __shared_1 = 'disableproactiveengagement'
                    )
                    OR (
                      __shared_1 = 'deletepolicy'
                    )
                    OR (
                      __shared_1 = 'disassociateadminaccount'
                    )
                    OR (
                      __shared_1 = 'deleteresolverquerylogconfig'
                    )
                    OR (
                      __shared_1 = 'disassociateresolverquerylogconfig'
                    )
                  )
                )
                OR (
                  (
                    __shared_1 = 'deleteflowlogs'
                  )
                  OR (
                    __shared_1 = 'disableebsencryptionbydefault'
                  )
                  OR (
                    __shared_1 = 'deletealarms'
                  )
                  OR (
                    __shared_1 = 'disablealarmactions'
                  )
                )
                OR (
                  (
                    __shared_0 = 'guardduty.amazonaws.com'
                  )
                  AND (
                    __shared_1 = 'updatedetector'
                  )
                  AND (
                    __shared_22 = 'false'
                  )
                )
              )
              AND (
                (
                  __shared_2 = 'accessdenied'
                )
                OR (
                  __shared_2 = 'accessdeniedexception'
                )
                OR (
                  __shared_2 = 'client.unauthorizedoperation'
                )
                OR (
                  __shared_2 = 'unauthorizedoperation'
                )
                OR (
                  __shared_2 = 'unauthorizedaccess'
                )
              )
              THEN 129
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'securityhub.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'disablesecurityhub'
                  )
                  OR (
                    __shared_1 = 'batchdisablestandards'
                  )
                  OR (
                    __shared_1 = 'deleteinsight'
                  )
                  OR (
                    __shared_1 = 'disableimportfindingsforproduct'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 130
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'securityhub.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'batchupdatefindings'
                  )
                  OR (
                    __shared_1 = 'updatefindings'
                  )
                  OR (
                    __shared_1 = 'createautomationrule'
                  )
                  OR (
                    __shared_1 = 'batchupdateautomationrules'
                  )
                )
              )
              AND (
                (
                  CONTAINS(__shared_15, 'suppressed')
                )
                OR (
                  CONTAINS(__shared_15, '"archived"')
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 131
            END,
            CASE
              WHEN (
                __shared_0 = 'ses.amazonaws.com'
              )
              AND (
                (
                  __shared_1 = 'getsendquota'
                )
                OR (
                  __shared_1 = 'getaccountsendingenabled'
                )
                OR (
                  __shared_1 = 'getsendstatistics'
                )
                OR (
                  __shared_1 = 'listidentities'
                )
                OR (
                  __shared_1 = 'listverifiedemailaddresses'
                )
                OR (
                  __shared_1 = 'getidentityverificationattributes'
                )
                OR (
                  __shared_1 = 'getaccount'
                )
                OR (
                  __shared_1 = 'listemailidentities'
                )
              )
              THEN 132
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'ses.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'verifyemailidentity'
                  )
                  OR (
                    __shared_1 = 'verifyemailaddress'
                  )
                  OR (
                    __shared_1 = 'verifydomainidentity'
                  )
                  OR (
                    __shared_1 = 'createemailidentity'
                  )
                  OR (
                    __shared_1 = 'deleteidentity'
                  )
                  OR (
                    __shared_1 = 'deleteemailidentity'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 133
            END,
            CASE
              WHEN (
                (
                  (
                    (
                      __shared_0 = 'ses.amazonaws.com'
                    )
                    AND (
                      (
                        __shared_1 = 'updateaccountsendingenabled'
                      )
                      OR (
                        __shared_1 = 'putaccountsendingattributes'
                      )
                    )
                  )
                  AND (
                    request_parameters RLIKE '"(enabled|sendingEnabled)"\\s*:\\s*true'
                  )
                )
                OR (
                  (
                    __shared_0 = 'ses.amazonaws.com'
                  ) AND (
                    __shared_1 = 'putaccountdetails'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 134
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'getsessiontoken'
                ) AND (
                  __shared_3 = 'iamuser'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 135
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'ec2.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'modifysnapshotattribute'
                  )
                  OR (
                    __shared_1 = 'modifyimageattribute'
                  )
                )
              )
              AND (
                (
                  request_parameters RLIKE '"add"\\s*:\\s*\\{\\s*"items"\\s*:\\s*\\[[^\\]]*"group"\\s*:\\s*"all"'
                )
                OR (
                  (
                    request_parameters RLIKE '"add"\\s*:\\s*\\{\\s*"items"\\s*:\\s*\\[[^\\]]*"(userId|organizationArn|organizationalUnitArn)"'
                  )
                  AND (
                    NOT (
                      COALESCE(CONTAINS(__shared_15, '"userid":"111111111111"'), FALSE)
                    )
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 136
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'sqs.amazonaws.com'
                ) AND (
                  __shared_1 = 'purgequeue'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 137
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'ssm.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'sendcommand'
                  )
                  OR (
                    __shared_1 = 'startsession'
                  )
                  OR (
                    __shared_1 = 'resumesession'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 138
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'ssm.amazonaws.com'
                )
                AND (
                  __shared_1 = 'modifydocumentpermission'
                )
                AND (
                  __shared_70 = 'share'
                )
              )
              AND (
                (
                  CONTAINS(__shared_71, 'all')
                )
                OR (
                  (
                    __shared_72 RLIKE '\\d{12}'
                  )
                  AND (
                    NOT (
                      COALESCE(CONTAINS(__shared_72, '111111111111'), FALSE)
                    )
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 139
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_1 = 'getparameter'
                  )
                  OR (
                    __shared_1 = 'getparameters'
                  )
                  OR (
                    __shared_1 = 'getparametersbypath'
                  )
                )
                AND (
                  __shared_73 = 'true'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 140
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_0 = 'ssm.amazonaws.com'
                  )
                  AND (
                    __shared_1 = 'getparameters'
                  )
                  AND (
                    __shared_73 = 'true'
                  )
                  AND (
                    request_parameters RLIKE '"names"\\s*:\\s*\\[\\s*"[^"]*"(\\s*,\\s*"[^"]*"){4,}'
                  )
                )
                OR (
                  (
                    __shared_0 = 'ssm.amazonaws.com'
                  )
                  AND (
                    __shared_1 = 'getparametersbypath'
                  )
                  AND (
                    __shared_73 = 'true'
                  )
                  AND (
                    request_parameters RLIKE '"recursive"\\s*:\\s*true'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 141
            END,
            CASE
              WHEN (
                (
                  __shared_1 = 'createtoken'
                )
                AND (
                  (
                    __shared_0 = 'sso-oauth.amazonaws.com'
                  )
                  OR (
                    __shared_0 = 'sso.amazonaws.com'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 142
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'sts.amazonaws.com'
                ) AND (
                  __shared_1 = 'assumeroot'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 143
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'ec2.amazonaws.com'
                ) AND (
                  __shared_1 = 'deleteflowlogs'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 145
            END,
            CASE
              WHEN (
                (
                  __shared_0 = 'ec2.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'attachinternetgateway'
                  )
                  OR (
                    __shared_1 = 'createinternetgateway'
                  )
                  OR (
                    __shared_1 = 'deleteinternetgateway'
                  )
                  OR (
                    __shared_1 = 'createcustomergateway'
                  )
                  OR (
                    __shared_1 = 'attachvpngateway'
                  )
                  OR (
                    __shared_1 = 'createroute'
                  )
                  OR (
                    __shared_1 = 'replaceroute'
                  )
                  OR (
                    __shared_1 = 'deleteroute'
                  )
                  OR (
                    __shared_1 = 'createvpcpeeringconnection'
                  )
                  OR (
                    __shared_1 = 'acceptvpcpeeringconnection'
                  )
                  OR (
                    __shared_1 = 'modifyvpcattribute'
                  )
                  OR (
                    __shared_1 = 'deletevpc'
                  )
                  OR (
                    __shared_1 = 'createvpc'
                  )
                  OR (
                    __shared_1 = 'replacenetworkaclassociation'
                  )
                  OR (
                    __shared_1 = 'deletenetworkacl'
                  )
                  OR (
                    __shared_1 = 'deletenetworkaclentry'
                  )
                  OR (
                    __shared_1 = 'createnetworkacl'
                  )
                  OR (
                    __shared_1 = 'replacenetworkaclentry'
                  )
                  OR (
                    __shared_1 = 'createnetworkaclentry'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT user_invoked_by IS NULL, FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 146
            END,
            CASE
              WHEN (
                (
                  (
                    __shared_0 = 'wafv2.amazonaws.com'
                  )
                  OR (
                    __shared_0 = 'waf.amazonaws.com'
                  )
                  OR (
                    __shared_0 = 'waf-regional.amazonaws.com'
                  )
                  OR (
                    __shared_0 = 'shield.amazonaws.com'
                  )
                )
                AND (
                  (
                    __shared_1 = 'deletewebacl'
                  )
                  OR (
                    __shared_1 = 'deleterulegroup'
                  )
                  OR (
                    __shared_1 = 'deleterule'
                  )
                  OR (
                    __shared_1 = 'disassociatewebacl'
                  )
                  OR (
                    __shared_1 = 'deleteloggingconfiguration'
                  )
                  OR (
                    __shared_1 = 'deleteprotection'
                  )
                  OR (
                    __shared_1 = 'deleteprotectiongroup'
                  )
                  OR (
                    __shared_1 = 'deletesubscription'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
              THEN 150
            END
          ),
          x -> NOT x IS NULL
        )
      )
      ELSE __unlimited_hits
    END AS hits
  FROM (
    SELECT
      *,
      FILTER(
        ARRAY(
          CASE
            WHEN (
              (
                (
                  __shared_2 = 'accessdenied'
                )
                OR (
                  __shared_2 = 'client.unauthorizedoperation'
                )
                OR (
                  __shared_2 = 'unauthorizedoperation'
                )
                OR (
                  __shared_2 = 'accessdeniedexception'
                )
              )
              AND (
                (
                  STARTSWITH(__shared_1, 'list')
                )
                OR (
                  STARTSWITH(__shared_1, 'describe')
                )
                OR (
                  STARTSWITH(__shared_1, 'get')
                )
              )
            )
            AND (
              NOT (
                COALESCE(__shared_3 = 'awsservice', FALSE)
              )
            )
            THEN 1
          END,
          CASE
            WHEN user_agent RLIKE '(?i)(trufflehog|pacu|scoutsuite|stratus-red-team|cloudfox|aws_consoler|prowler|kali|parrot|pentoo|weirdaal|cloudmapper|enumerate-iam|s3 browser)'
            THEN 23
          END,
          CASE WHEN __shared_24 = '1.0' THEN 61 END,
          CASE
            WHEN (
              (
                __shared_3 = 'assumedrole'
              )
              AND (
                CONTAINS(__shared_20, '/i-')
              )
              AND (
                user_arn RLIKE '(?i):assumed-role/[^/]+/i-[0-9a-f]{8,17}$'
              )
            )
            AND (
              NOT (
                COALESCE(
                  (
                    ENDSWITH(__shared_12, '.amazonaws.com')
                  )
                  OR (
                    ENDSWITH(__shared_12, 'aws internal')
                  ),
                  FALSE
                )
              )
            )
            AND (
              NOT (
                COALESCE(
                  (
                    STARTSWITH(source_ip_address, '10.')
                  )
                  OR (
                    STARTSWITH(source_ip_address, '172.16.')
                    OR STARTSWITH(source_ip_address, '172.17.')
                    OR STARTSWITH(source_ip_address, '172.18.')
                    OR STARTSWITH(source_ip_address, '172.19.')
                    OR STARTSWITH(source_ip_address, '172.20.')
                    OR STARTSWITH(source_ip_address, '172.21.')
                    OR STARTSWITH(source_ip_address, '172.22.')
                    OR STARTSWITH(source_ip_address, '172.23.')
                    OR STARTSWITH(source_ip_address, '172.24.')
                    OR STARTSWITH(source_ip_address, '172.25.')
                    OR STARTSWITH(source_ip_address, '172.26.')
                    OR STARTSWITH(source_ip_address, '172.27.')
                    OR STARTSWITH(source_ip_address, '172.28.')
                    OR STARTSWITH(source_ip_address, '172.29.')
                    OR STARTSWITH(source_ip_address, '172.30.')
                    OR STARTSWITH(source_ip_address, '172.31.')
                  )
                  OR (
                    STARTSWITH(source_ip_address, '192.168.')
                  ),
                  FALSE
                )
              )
            )
            AND (
              NOT (
                COALESCE(NOT vpc_endpoint_id IS NULL, FALSE)
              )
            )
            AND (
              NOT (
                COALESCE(NOT user_invoked_by IS NULL, FALSE)
              )
            )
            AND (
              NOT (
                COALESCE(
                  (
                    (
                      __shared_0 = 'ssm.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'ec2messages.amazonaws.com'
                    )
                    OR (
                      __shared_0 = 'ssmmessages.amazonaws.com'
                    )
                  )
                  AND (
                    (
                      __shared_1 = 'updateinstanceinformation'
                    )
                    OR (
                      __shared_1 = 'listinstanceassociations'
                    )
                    OR (
                      __shared_1 = 'updateinstanceassociationstatus'
                    )
                    OR (
                      __shared_1 = 'putinventory'
                    )
                    OR (
                      __shared_1 = 'getmessages'
                    )
                    OR (
                      __shared_1 = 'acknowledgemessage'
                    )
                    OR (
                      __shared_1 = 'sendreply'
                    )
                    OR (
                      __shared_1 = 'createcontrolchannel'
                    )
                    OR (
                      __shared_1 = 'opencontrolchannel'
                    )
                  ),
                  FALSE
                )
              )
            )
            THEN 64
          END,
          CASE
            WHEN (
              __shared_3 = 'root'
            )
            AND (
              NOT (
                COALESCE(
                  (
                    __shared_61 = 'awsserviceevent'
                  ) OR (
                    __shared_61 = 'awsconsolesignin'
                  ),
                  FALSE
                )
              )
            )
            AND (
              NOT (
                COALESCE(NOT user_invoked_by IS NULL, FALSE)
              )
            )
            AND (
              NOT (
                COALESCE(__shared_62 = 'true', FALSE)
              )
            )
            THEN 98
          END,
          CASE
            WHEN (
              (
                __shared_2 = 'accessdenied'
              )
              OR (
                __shared_2 = 'client.unauthorizedoperation'
              )
              OR (
                __shared_2 = 'unauthorizedoperation'
              )
              OR (
                __shared_2 = 'accessdeniedexception'
              )
            )
            AND (
              (
                STARTSWITH(__shared_1, 'create')
              )
              OR (
                STARTSWITH(__shared_1, 'put')
              )
              OR (
                STARTSWITH(__shared_1, 'attach')
              )
              OR (
                STARTSWITH(__shared_1, 'update')
              )
              OR (
                STARTSWITH(__shared_1, 'delete')
              )
              OR (
                STARTSWITH(__shared_1, 'add')
              )
              OR (
                STARTSWITH(__shared_1, 'modify')
              )
              OR (
                STARTSWITH(__shared_1, 'run')
              )
              OR (
                STARTSWITH(__shared_1, 'leave')
              )
            )
            THEN 144
          END,
          CASE WHEN __shared_2 = 'vpceaccessdenied' THEN 147 END,
          CASE
            WHEN (
              (
                NOT vpc_endpoint_id IS NULL
              ) AND (
                NOT user_account_id IS NULL
              )
            )
            AND (
              (
                __shared_74 = '111111111111'
              )
              OR (
                (
                  __shared_61 = 'awsvpceevent'
                ) AND (
                  vpc_endpoint_account_id IS NULL
                )
              )
            )
            AND (
              NOT (
                COALESCE(__shared_69 = '111111111111', FALSE)
              )
            )
            AND (
              NOT (
                COALESCE(__shared_3 = 'awsservice', FALSE)
              )
            )
            AND (
              NOT (
                COALESCE(NOT error_code IS NULL, FALSE)
              )
            )
            THEN 148
          END,
          CASE
            WHEN (
              event_type = 'AwsVpceEvent'
            )
            AND (
              NOT (
                COALESCE(
                  (
                    STARTSWITH(source_ip_address, '10.')
                  )
                  OR (
                    STARTSWITH(source_ip_address, '172.16.')
                    OR STARTSWITH(source_ip_address, '172.17.')
                    OR STARTSWITH(source_ip_address, '172.18.')
                    OR STARTSWITH(source_ip_address, '172.19.')
                    OR STARTSWITH(source_ip_address, '172.20.')
                    OR STARTSWITH(source_ip_address, '172.21.')
                    OR STARTSWITH(source_ip_address, '172.22.')
                    OR STARTSWITH(source_ip_address, '172.23.')
                    OR STARTSWITH(source_ip_address, '172.24.')
                    OR STARTSWITH(source_ip_address, '172.25.')
                    OR STARTSWITH(source_ip_address, '172.26.')
                    OR STARTSWITH(source_ip_address, '172.27.')
                    OR STARTSWITH(source_ip_address, '172.28.')
                    OR STARTSWITH(source_ip_address, '172.29.')
                    OR STARTSWITH(source_ip_address, '172.30.')
                    OR STARTSWITH(source_ip_address, '172.31.')
                  )
                  OR (
                    STARTSWITH(source_ip_address, '192.168.')
                  )
                  OR (
                    STARTSWITH(source_ip_address, '100.64.')
                    OR STARTSWITH(source_ip_address, '100.65.')
                    OR STARTSWITH(source_ip_address, '100.66.')
                    OR STARTSWITH(source_ip_address, '100.67.')
                    OR STARTSWITH(source_ip_address, '100.68.')
                    OR STARTSWITH(source_ip_address, '100.69.')
                    OR STARTSWITH(source_ip_address, '100.70.')
                    OR STARTSWITH(source_ip_address, '100.71.')
                    OR STARTSWITH(source_ip_address, '100.72.')
                    OR STARTSWITH(source_ip_address, '100.73.')
                    OR STARTSWITH(source_ip_address, '100.74.')
                    OR STARTSWITH(source_ip_address, '100.75.')
                    OR STARTSWITH(source_ip_address, '100.76.')
                    OR STARTSWITH(source_ip_address, '100.77.')
                    OR STARTSWITH(source_ip_address, '100.78.')
                    OR STARTSWITH(source_ip_address, '100.79.')
                    OR STARTSWITH(source_ip_address, '100.80.')
                    OR STARTSWITH(source_ip_address, '100.81.')
                    OR STARTSWITH(source_ip_address, '100.82.')
                    OR STARTSWITH(source_ip_address, '100.83.')
                    OR STARTSWITH(source_ip_address, '100.84.')
                    OR STARTSWITH(source_ip_address, '100.85.')
                    OR STARTSWITH(source_ip_address, '100.86.')
                    OR STARTSWITH(source_ip_address, '100.87.')
                    OR STARTSWITH(source_ip_address, '100.88.')
                    OR STARTSWITH(source_ip_address, '100.89.')
                    OR STARTSWITH(source_ip_address, '100.90.')
                    OR STARTSWITH(source_ip_address, '100.91.')
                    OR STARTSWITH(source_ip_address, '100.92.')
                    OR STARTSWITH(source_ip_address, '100.93.')
                    OR STARTSWITH(source_ip_address, '100.94.')
                    OR STARTSWITH(source_ip_address, '100.95.')
                    OR STARTSWITH(source_ip_address, '100.96.')
                    OR STARTSWITH(source_ip_address, '100.97.')
                    OR STARTSWITH(source_ip_address, '100.98.')
                    OR STARTSWITH(source_ip_address, '100.99.')
                    OR STARTSWITH(source_ip_address, '100.100.')
                    OR STARTSWITH(source_ip_address, '100.101.')
                    OR STARTSWITH(source_ip_address, '100.102.')
                    OR STARTSWITH(source_ip_address, '100.103.')
                    OR STARTSWITH(source_ip_address, '100.104.')
                    OR STARTSWITH(source_ip_address, '100.105.')
                    OR STARTSWITH(source_ip_address, '100.106.')
                    OR STARTSWITH(source_ip_address, '100.107.')
                    OR STARTSWITH(source_ip_address, '100.108.')
                    OR STARTSWITH(source_ip_address, '100.109.')
                    OR STARTSWITH(source_ip_address, '100.110.')
                    OR STARTSWITH(source_ip_address, '100.111.')
                    OR STARTSWITH(source_ip_address, '100.112.')
                    OR STARTSWITH(source_ip_address, '100.113.')
                    OR STARTSWITH(source_ip_address, '100.114.')
                    OR STARTSWITH(source_ip_address, '100.115.')
                    OR STARTSWITH(source_ip_address, '100.116.')
                    OR STARTSWITH(source_ip_address, '100.117.')
                    OR STARTSWITH(source_ip_address, '100.118.')
                    OR STARTSWITH(source_ip_address, '100.119.')
                    OR STARTSWITH(source_ip_address, '100.120.')
                    OR STARTSWITH(source_ip_address, '100.121.')
                    OR STARTSWITH(source_ip_address, '100.122.')
                    OR STARTSWITH(source_ip_address, '100.123.')
                    OR STARTSWITH(source_ip_address, '100.124.')
                    OR STARTSWITH(source_ip_address, '100.125.')
                    OR STARTSWITH(source_ip_address, '100.126.')
                    OR STARTSWITH(source_ip_address, '100.127.')
                  )
                  OR (
                    source_ip_address LIKE 'fc__:%' ESCAPE '\\'
                    OR source_ip_address LIKE 'fd__:%' ESCAPE '\\'
                  ),
                  FALSE
                )
              )
            )
            AND (
              NOT (
                COALESCE(
                  (
                    ENDSWITH(__shared_12, '.amazonaws.com')
                  )
                  OR (
                    __shared_12 = 'aws internal'
                  ),
                  FALSE
                )
              )
            )
            THEN 149
          END
        ),
        x -> NOT x IS NULL
      ) AS __unlimited_hits
    FROM (
      SELECT
        *,
        LOWER(event_source) AS __shared_0,
        LOWER(event_name) AS __shared_1,
        LOWER(error_code) AS __shared_2,
        LOWER(user_type) AS __shared_3,
        LOWER(user_name) AS __shared_4,
        LOWER(request_user_name) AS __shared_5,
        LOWER(request_policy_arn) AS __shared_6,
        CASE
          WHEN LOWER(event_name) IN ('attachuserpolicy', 'putuserpolicy')
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.policyName'))
        END AS __shared_7,
        LOWER(response_console_login) AS __shared_8,
        LOWER(error_message) AS __shared_9,
        LOWER(additional_mfa_used) AS __shared_10,
        CASE
          WHEN LOWER(event_name) IN ('consolelogin')
          THEN GET_JSON_OBJECT(additional_event_data, '$.SamlProviderArn')
        END AS __shared_11,
        LOWER(source_ip_address) AS __shared_12,
        CASE
          WHEN LOWER(event_name) IN ('modifyinstanceattribute')
          THEN GET_JSON_OBJECT(request_parameters, '$.userData')
        END AS __shared_13,
        CASE
          WHEN LOWER(event_name) IN ('describeinstanceattribute', 'modifyinstanceattribute')
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.attribute'))
        END AS __shared_14,
        LOWER(request_parameters) AS __shared_15,
        CASE
          WHEN LOWER(event_name) IN ('deleterule', 'disablerule', 'removetargets')
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.name'))
        END AS __shared_16,
        CASE
          WHEN LOWER(event_name) IN (
            'createdomain',
            'createelasticsearchdomain',
            'createkey',
            'createqueue',
            'createtopic',
            'getfederationtoken',
            'putbackupvaultaccesspolicy',
            'putdestinationpolicy',
            'putfilesystempolicy',
            'putkeypolicy',
            'putrepositorypermissionspolicy',
            'putresourcepolicy',
            'setqueueattributes',
            'setrepositorypolicy',
            'settopicattributes',
            'setvaultaccesspolicy',
            'updatedomainconfig',
            'updateelasticsearchdomainconfig'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.policy')
        END AS __shared_17,
        CASE
          WHEN LOWER(event_name) IN ('getfederationtoken')
          THEN GET_JSON_OBJECT(request_parameters, '$.policyArns')
        END AS __shared_18,
        LOWER(session_issuer_arn) AS __shared_19,
        LOWER(user_arn) AS __shared_20,
        CASE
          WHEN LOWER(event_name) IN ('getsignintoken')
          THEN LOWER(GET_JSON_OBJECT(response_elements, '$.GetSigninToken'))
        END AS __shared_21,
        CASE
          WHEN LOWER(event_name) IN (
            'batchdisablestandards',
            'deleteactiontarget',
            'deletealarms',
            'deletealias',
            'deleteanalyzer',
            'deleteassessmenttarget',
            'deleteassessmenttemplate',
            'deletechannel',
            'deleteconfigrule',
            'deleteconfigurationaggregator',
            'deleteconfigurationrecorder',
            'deleteconformancepack',
            'deletedeliverychannel',
            'deletedetector',
            'deleteeventdatastore',
            'deletefilter',
            'deleteflowlogs',
            'deletegraph',
            'deleteimportedkeymaterial',
            'deleteinsight',
            'deleteipset',
            'deleteloggingconfiguration',
            'deletemember',
            'deletemembers',
            'deleteorganizationconfigrule',
            'deleteorganizationconformancepack',
            'deletepolicy',
            'deleteprotection',
            'deleteprotectiongroup',
            'deletepublishingdestination',
            'deleteremediationconfiguration',
            'deleteresolverquerylogconfig',
            'deleteretentionconfiguration',
            'deleterule',
            'deleterulegroup',
            'deletesubscription',
            'deletethreatintelset',
            'deletetrail',
            'deletewebacl',
            'disable',
            'disablealarmactions',
            'disabledelegatedadminaccount',
            'disableebsencryptionbydefault',
            'disableimportfindingsforproduct',
            'disablekey',
            'disablekeyrotation',
            'disablemacie',
            'disableorganizationadminaccount',
            'disableproactiveengagement',
            'disablesecurityhub',
            'disassociateadminaccount',
            'disassociatefromadministratoraccount',
            'disassociatefrommasteraccount',
            'disassociatemember',
            'disassociatemembers',
            'disassociatemembership',
            'disassociateresolverquerylogconfig',
            'disassociatewebacl',
            'schedulekeydeletion',
            'stopassessmentrun',
            'stopconfigurationrecorder',
            'stopeventdatastoreingestion',
            'stoplogging',
            'stopmonitoringmembers',
            'updatedetector'
          )
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.enable'))
        END AS __shared_22,
        CASE
          WHEN LOWER(event_name) IN ('addusertogroup')
          THEN GET_JSON_OBJECT(request_parameters, '$.groupName')
        END AS __shared_23,
        LOWER(ec2_role_delivery) AS __shared_24,
        CASE
          WHEN LOWER(event_name) IN (
            'createdomain',
            'createelasticsearchdomain',
            'createkey',
            'createpolicy',
            'createpolicyversion',
            'createqueue',
            'createrole',
            'createtopic',
            'putbackupvaultaccesspolicy',
            'putdestinationpolicy',
            'putfilesystempolicy',
            'putgrouppolicy',
            'putkeypolicy',
            'putrepositorypermissionspolicy',
            'putresourcepolicy',
            'putrolepolicy',
            'putuserpolicy',
            'setqueueattributes',
            'setrepositorypolicy',
            'settopicattributes',
            'setvaultaccesspolicy',
            'updateassumerolepolicy',
            'updatedomainconfig',
            'updateelasticsearchdomainconfig'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.policyDocument')
        END AS __shared_25,
        CASE
          WHEN LOWER(event_name) IN ('creategrant')
          THEN GET_JSON_OBJECT(request_parameters, '$.granteePrincipal')
        END AS __shared_26,
        CASE
          WHEN LOWER(event_name) IN (
            'createfunction',
            'createfunction20150331',
            'updatefunctioncode',
            'updatefunctioncode20150331',
            'updatefunctioncode20150331v2',
            'updatefunctionconfiguration',
            'updatefunctionconfiguration20150331',
            'updatefunctionconfiguration20150331v2'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.layers')
        END AS __shared_27,
        CASE
          WHEN LOWER(event_name) IN (
            'addlayerversionpermission',
            'addlayerversionpermission20181031',
            'addpermission',
            'addpermission20150331',
            'addpermission20150331v2'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.principal')
        END AS __shared_28,
        CASE
          WHEN LOWER(event_name) IN (
            'addlayerversionpermission',
            'addlayerversionpermission20181031',
            'addpermission',
            'addpermission20150331',
            'addpermission20150331v2',
            'createfunctionurlconfig',
            'createfunctionurlconfig20211031',
            'updatefunctionurlconfig',
            'updatefunctionurlconfig20211031'
          )
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.principal'))
        END AS __shared_29,
        CASE
          WHEN LOWER(event_name) IN (
            'addlayerversionpermission',
            'addlayerversionpermission20181031',
            'addpermission',
            'addpermission20150331',
            'addpermission20150331v2'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.organizationId')
        END AS __shared_30,
        CASE
          WHEN LOWER(event_name) IN (
            'addpermission',
            'addpermission20150331',
            'addpermission20150331v2',
            'createfunctionurlconfig',
            'createfunctionurlconfig20211031',
            'updatefunctionurlconfig',
            'updatefunctionurlconfig20211031'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.principalOrgID')
        END AS __shared_31,
        CASE
          WHEN LOWER(event_name) IN (
            'addpermission',
            'addpermission20150331',
            'addpermission20150331v2',
            'createfunctionurlconfig',
            'createfunctionurlconfig20211031',
            'updatefunctionurlconfig',
            'updatefunctionurlconfig20211031'
          )
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.authType'))
        END AS __shared_32,
        CASE
          WHEN LOWER(event_name) IN ('createnetworkaclentry', 'replacenetworkaclentry')
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.cidrBlock'))
        END AS __shared_33,
        CASE
          WHEN LOWER(event_name) IN ('createnetworkaclentry', 'replacenetworkaclentry')
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.ruleAction'))
        END AS __shared_34,
        CASE
          WHEN LOWER(event_name) IN (
            'associateiaminstanceprofile',
            'createdevendpoint',
            'createfunction',
            'createfunction20150331',
            'createjob',
            'createnotebookinstance',
            'createstack',
            'replaceiaminstanceprofileassociation',
            'runinstances',
            'updatedevendpoint',
            'updatefunctionconfiguration',
            'updatefunctionconfiguration20150331',
            'updatefunctionconfiguration20150331v2'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.role')
        END AS __shared_35,
        CASE
          WHEN LOWER(event_name) IN (
            'associateiaminstanceprofile',
            'createdevendpoint',
            'createfunction',
            'createfunction20150331',
            'createjob',
            'createnotebookinstance',
            'createstack',
            'replaceiaminstanceprofileassociation',
            'runinstances',
            'updatedevendpoint',
            'updatefunctionconfiguration',
            'updatefunctionconfiguration20150331',
            'updatefunctionconfiguration20150331v2'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.iamInstanceProfile')
        END AS __shared_36,
        CASE
          WHEN LOWER(event_name) IN (
            'associateiaminstanceprofile',
            'createdevendpoint',
            'createfunction',
            'createfunction20150331',
            'createjob',
            'createnotebookinstance',
            'createstack',
            'replaceiaminstanceprofileassociation',
            'runinstances',
            'updatedevendpoint',
            'updatefunctionconfiguration',
            'updatefunctionconfiguration20150331',
            'updatefunctionconfiguration20150331v2'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.roleARN')
        END AS __shared_37,
        CASE
          WHEN LOWER(event_name) IN ('passwordrecoveryrequested')
          THEN LOWER(GET_JSON_OBJECT(response_elements, '$.PasswordRecoveryRequested'))
        END AS __shared_38,
        CASE
          WHEN LOWER(event_name) IN (
            'authorizesnapshotaccess',
            'createcluster',
            'createdbinstance',
            'modifycluster',
            'modifydbcluster',
            'modifydbinstance',
            'restoredbclusterfromsnapshot',
            'restoredbinstancefromdbsnapshot',
            'restoredbinstancetopointintime',
            'restorefromclustersnapshot'
          )
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.publiclyAccessible'))
        END AS __shared_39,
        CASE
          WHEN LOWER(event_name) IN (
            'createdbinstance',
            'modifydbcluster',
            'modifydbinstance',
            'restoredbclusterfromsnapshot',
            'restoredbinstancefromdbsnapshot',
            'restoredbinstancetopointintime'
          )
          THEN LOWER(GET_JSON_OBJECT(response_elements, '$.publiclyAccessible'))
        END AS __shared_40,
        CASE
          WHEN LOWER(event_name) IN (
            'addroletodbcluster',
            'addroletodbinstance',
            'modifydbcluster',
            'modifydbinstance',
            'stopactivitystream'
          )
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.deletionProtection'))
        END AS __shared_41,
        CASE
          WHEN LOWER(event_name) IN (
            'addroletodbcluster',
            'addroletodbinstance',
            'modifydbcluster',
            'modifydbinstance',
            'stopactivitystream'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.masterUserPassword')
        END AS __shared_42,
        CASE
          WHEN LOWER(event_name) IN ('createdbclustersnapshot', 'createdbsnapshot')
          THEN LOWER(GET_JSON_OBJECT(response_elements, '$.snapshotType'))
        END AS __shared_43,
        CASE
          WHEN LOWER(event_name) IN (
            'deletedbclustersnapshot',
            'deletedbsnapshot',
            'describedbclustersnapshots',
            'describedbsnapshots'
          )
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.includePublic'))
        END AS __shared_44,
        CASE
          WHEN LOWER(event_name) IN (
            'deletedbclustersnapshot',
            'deletedbsnapshot',
            'describedbclustersnapshots',
            'describedbsnapshots'
          )
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.includeShared'))
        END AS __shared_45,
        CASE
          WHEN LOWER(event_name) IN ('copydbclustersnapshot', 'copydbsnapshot')
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.sourceDBSnapshotIdentifier'))
        END AS __shared_46,
        CASE
          WHEN LOWER(event_name) IN ('copydbclustersnapshot', 'copydbsnapshot')
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.sourceDBClusterSnapshotIdentifier'))
        END AS __shared_47,
        CASE
          WHEN LOWER(event_name) IN ('modifydbclustersnapshotattribute', 'modifydbsnapshotattribute')
          THEN GET_JSON_OBJECT(request_parameters, '$.valuesToAdd')
        END AS __shared_48,
        CASE
          WHEN LOWER(event_name) IN ('createdbclustersnapshot', 'createdbsnapshot')
          THEN LOWER(GET_JSON_OBJECT(response_elements, '$.encrypted'))
        END AS __shared_49,
        CASE
          WHEN LOWER(event_name) IN ('createdbclustersnapshot', 'createdbsnapshot')
          THEN LOWER(GET_JSON_OBJECT(response_elements, '$.storageEncrypted'))
        END AS __shared_50,
        CASE
          WHEN LOWER(event_name) IN (
            'authorizesnapshotaccess',
            'createcluster',
            'modifycluster',
            'restorefromclustersnapshot'
          )
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.accountWithRestoreAccess'))
        END AS __shared_51,
        CASE
          WHEN LOWER(event_name) IN (
            'createdomain',
            'createelasticsearchdomain',
            'createkey',
            'createqueue',
            'createtopic',
            'putbackupvaultaccesspolicy',
            'putdestinationpolicy',
            'putfilesystempolicy',
            'putkeypolicy',
            'putrepositorypermissionspolicy',
            'putresourcepolicy',
            'setqueueattributes',
            'setrepositorypolicy',
            'settopicattributes',
            'setvaultaccesspolicy',
            'updatedomainconfig',
            'updateelasticsearchdomainconfig'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.attributes.Policy')
        END AS __shared_52,
        CASE
          WHEN LOWER(event_name) IN (
            'createdomain',
            'createelasticsearchdomain',
            'createkey',
            'createqueue',
            'createtopic',
            'putbackupvaultaccesspolicy',
            'putdestinationpolicy',
            'putfilesystempolicy',
            'putkeypolicy',
            'putrepositorypermissionspolicy',
            'putresourcepolicy',
            'setqueueattributes',
            'setrepositorypolicy',
            'settopicattributes',
            'setvaultaccesspolicy',
            'updatedomainconfig',
            'updateelasticsearchdomainconfig'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.attributeValue')
        END AS __shared_53,
        CASE
          WHEN LOWER(event_name) IN (
            'createdomain',
            'createelasticsearchdomain',
            'createkey',
            'createqueue',
            'createtopic',
            'putbackupvaultaccesspolicy',
            'putdestinationpolicy',
            'putfilesystempolicy',
            'putkeypolicy',
            'putrepositorypermissionspolicy',
            'putresourcepolicy',
            'setqueueattributes',
            'setrepositorypolicy',
            'settopicattributes',
            'setvaultaccesspolicy',
            'updatedomainconfig',
            'updateelasticsearchdomainconfig'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.policyText')
        END AS __shared_54,
        CASE
          WHEN LOWER(event_name) IN (
            'createdomain',
            'createelasticsearchdomain',
            'createkey',
            'createqueue',
            'createtopic',
            'putbackupvaultaccesspolicy',
            'putdestinationpolicy',
            'putfilesystempolicy',
            'putkeypolicy',
            'putrepositorypermissionspolicy',
            'putresourcepolicy',
            'setqueueattributes',
            'setrepositorypolicy',
            'settopicattributes',
            'setvaultaccesspolicy',
            'updatedomainconfig',
            'updateelasticsearchdomainconfig'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.resourcePolicy')
        END AS __shared_55,
        CASE
          WHEN LOWER(event_name) IN (
            'createdomain',
            'createelasticsearchdomain',
            'createkey',
            'createqueue',
            'createtopic',
            'putbackupvaultaccesspolicy',
            'putdestinationpolicy',
            'putfilesystempolicy',
            'putkeypolicy',
            'putrepositorypermissionspolicy',
            'putresourcepolicy',
            'setqueueattributes',
            'setrepositorypolicy',
            'settopicattributes',
            'setvaultaccesspolicy',
            'updatedomainconfig',
            'updateelasticsearchdomainconfig'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.accessPolicies')
        END AS __shared_56,
        CASE
          WHEN LOWER(event_name) IN (
            'createdomain',
            'createelasticsearchdomain',
            'createkey',
            'createqueue',
            'createtopic',
            'putbackupvaultaccesspolicy',
            'putdestinationpolicy',
            'putfilesystempolicy',
            'putkeypolicy',
            'putrepositorypermissionspolicy',
            'putresourcepolicy',
            'setqueueattributes',
            'setrepositorypolicy',
            'settopicattributes',
            'setvaultaccesspolicy',
            'updatedomainconfig',
            'updateelasticsearchdomainconfig'
          )
          THEN GET_JSON_OBJECT(request_parameters, '$.policyInJson')
        END AS __shared_57,
        CASE
          WHEN LOWER(event_name) IN ('createrole', 'updateassumerolepolicy')
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.assumeRolePolicyDocument'))
        END AS __shared_58,
        CASE
          WHEN LOWER(event_name) IN ('createrole', 'updateassumerolepolicy')
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.policyDocument'))
        END AS __shared_59,
        CASE
          WHEN LOWER(event_name) IN ('createrole', 'updateassumerolepolicy')
          THEN GET_JSON_OBJECT(request_parameters, '$.assumeRolePolicyDocument')
        END AS __shared_60,
        LOWER(event_type) AS __shared_61,
        LOWER(CAST(session_credential_from_console AS STRING)) AS __shared_62,
        CASE
          WHEN LOWER(event_name) IN (
            'createaccesskey',
            'createvirtualmfadevice',
            'deactivatemfadevice',
            'enablemfadevice',
            'passwordrecoverycompleted',
            'passwordupdated'
          )
          THEN LOWER(GET_JSON_OBJECT(response_elements, '$.PasswordUpdated'))
        END AS __shared_63,
        CASE
          WHEN LOWER(event_name) IN (
            'createaccesskey',
            'createvirtualmfadevice',
            'deactivatemfadevice',
            'enablemfadevice',
            'passwordrecoverycompleted',
            'passwordupdated'
          )
          THEN LOWER(GET_JSON_OBJECT(response_elements, '$.PasswordRecoveryCompleted'))
        END AS __shared_64,
        CASE
          WHEN LOWER(event_name) IN ('putbucketpolicy')
          THEN GET_JSON_OBJECT(request_parameters, '$.bucketPolicy')
        END AS __shared_65,
        CASE
          WHEN LOWER(event_name) IN ('copyobject', 'deletebucketencryption', 'putobject')
          THEN GET_JSON_OBJECT(request_parameters, '$.x-amz-server-side-encryption-customer-algorithm')
        END AS __shared_66,
        CASE
          WHEN LOWER(event_name) IN ('putbucketlifecycle', 'putbucketlifecycleconfiguration', 'putbucketlogging')
          THEN GET_JSON_OBJECT(request_parameters, '$.BucketLoggingStatus')
        END AS __shared_67,
        CASE
          WHEN LOWER(event_name) IN ('putbucketlifecycle', 'putbucketlifecycleconfiguration', 'putbucketlogging')
          THEN GET_JSON_OBJECT(request_parameters, '$.BucketLoggingStatus.LoggingEnabled')
        END AS __shared_68,
        LOWER(user_account_id) AS __shared_69,
        CASE
          WHEN LOWER(event_name) IN ('modifydocumentpermission')
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.permissionType'))
        END AS __shared_70,
        CASE
          WHEN LOWER(event_name) IN ('modifydocumentpermission')
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.accountIdsToAdd'))
        END AS __shared_71,
        CASE
          WHEN LOWER(event_name) IN ('modifydocumentpermission')
          THEN GET_JSON_OBJECT(request_parameters, '$.accountIdsToAdd')
        END AS __shared_72,
        CASE
          WHEN LOWER(event_name) IN ('getparameter', 'getparameters', 'getparametersbypath')
          THEN LOWER(GET_JSON_OBJECT(request_parameters, '$.withDecryption'))
        END AS __shared_73,
        LOWER(vpc_endpoint_account_id) AS __shared_74
      FROM (
        SELECT
          *
        FROM cloudtrail
      ) AS candidates
    ) AS events
  ) AS events
)
SELECT
  event_id,
  event_time,
  actor,
  account,
  aws_region,
  source_ip_address,
  COALESCE(
    GET_JSON_OBJECT(request_parameters, '$.bucketName'),
    GET_JSON_OBJECT(request_parameters, '$.userName'),
    GET_JSON_OBJECT(request_parameters, '$.roleName'),
    GET_JSON_OBJECT(request_parameters, '$.policyArn'),
    GET_JSON_OBJECT(request_parameters, '$.groupName'),
    GET_JSON_OBJECT(request_parameters, '$.name'),
    GET_JSON_OBJECT(request_parameters, '$.trailName'),
    GET_JSON_OBJECT(request_parameters, '$.detectorId'),
    GET_JSON_OBJECT(request_parameters, '$.keyId'),
    GET_JSON_OBJECT(request_parameters, '$.secretId'),
    GET_JSON_OBJECT(request_parameters, '$.functionName'),
    GET_JSON_OBJECT(request_parameters, '$.instanceId'),
    GET_JSON_OBJECT(request_parameters, '$.groupId'),
    GET_JSON_OBJECT(request_parameters, '$.snapshotId'),
    GET_JSON_OBJECT(request_parameters, '$.imageId'),
    GET_JSON_OBJECT(request_parameters, '$.dBSnapshotIdentifier'),
    GET_JSON_OBJECT(request_parameters, '$.dBInstanceIdentifier'),
    GET_JSON_OBJECT(request_parameters, '$.flowLogIds'),
    GET_JSON_OBJECT(request_parameters, '$.accessKeyId'),
    GET_JSON_OBJECT(resources, '$[0].ARN')
  ) AS resource,
  hits,
  CASE
    WHEN user_type = 'AssumedRole' AND NOT session_issuer_arn IS NULL
    THEN session_issuer_arn
    ELSE actor
  END AS principal,
  CASE WHEN user_type = 'AssumedRole' THEN REGEXP_EXTRACT(user_arn, '[^/]+$', 0) END AS session,
  user_arn AS extra_0,
  source_ip_address AS extra_1,
  recipient_account_id AS extra_2,
  user_name AS extra_3,
  request_instance_id AS extra_4,
  request_bucket_name AS extra_5,
  request_secret_id AS extra_6,
  aws_region AS extra_7,
  event_name AS extra_8,
  GET_JSON_OBJECT(request_parameters, '$.name') AS extra_9
FROM scored
WHERE
  SIZE(hits) > 0
