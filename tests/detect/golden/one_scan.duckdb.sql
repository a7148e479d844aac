WITH scored AS MATERIALIZED (
  SELECT
    *,
    LIST_FILTER(
      [
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 0
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
                    STARTS_WITH(__shared_1, 'list')
                  )
                  OR (
                    STARTS_WITH(__shared_1, 'describe')
                  )
                  OR (
                    STARTS_WITH(__shared_1, 'get')
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(__shared_3 = 'awsservice', FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 1
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_1 = 'createaccesskey'
                ) AND (
                  NOT (
                    __shared_4
                  ) IS NULL
                )
              )
              AND (
                NOT (
                  COALESCE(ENDS_WITH(__shared_5, __shared_6), FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 2
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 3
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
                    ENDS_WITH(__shared_7, '/administratoraccess')
                  )
                  OR (
                    ENDS_WITH(__shared_7, '/iamfullaccess')
                  )
                  OR (
                    ENDS_WITH(__shared_7, '/poweruseraccess')
                  )
                  OR (
                    ENDS_WITH(__shared_7, '/awscompromisedkeyquarantinev2')
                  )
                  OR (
                    ENDS_WITH(__shared_7, '/awscompromisedkeyquarantine')
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 4
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_1 = 'assumerole'
                )
                AND (
                  REGEXP_MATCHES(__shared_8, ':role/.*(admin|root|breakglass|break-glass|fullaccess)', 'i')
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
            ),
            FALSE
          )
          THEN 5
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 6
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 7
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 8
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 9
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 10
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  (
                    __shared_1 = 'attachuserpolicy'
                  ) OR (
                    __shared_1 = 'putuserpolicy'
                  )
                )
                AND (
                  CONTAINS(__shared_7, 'awscompromisedkeyquarantine')
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 11
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 12
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  (
                    __shared_1 = 'consolelogin'
                  ) OR (
                    __shared_1 = 'checkmfa'
                  )
                )
                AND (
                  __shared_9 = 'failure'
                )
              )
              OR (
                (
                  __shared_1 = 'consolelogin'
                )
                AND (
                  (
                    __shared_10 = 'failed authentication'
                  )
                  OR (
                    __shared_10 = 'no username found in supplied account'
                  )
                )
              )
            ),
            FALSE
          )
          THEN 13
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_1 = 'consolelogin'
                ) OR (
                  __shared_1 = 'checkmfa'
                )
              )
              AND (
                NOT (
                  __shared_11
                ) IS NULL
              )
              AND (
                __shared_9 = 'failure'
              )
            ),
            FALSE
          )
          THEN 14
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_1 = 'consolelogin'
                )
                AND (
                  __shared_12 = 'no'
                )
                AND (
                  __shared_9 = 'success'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT (
                    __shared_13
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
            ),
            FALSE
          )
          THEN 15
        END,
        CASE
          WHEN COALESCE(
            (
              (
                CONTAINS(__shared_14, 'trufflehog')
              )
              OR (
                CONTAINS(__shared_14, 'pacu')
              )
              OR (
                CONTAINS(__shared_14, 'scoutsuite')
              )
              OR (
                CONTAINS(__shared_14, 'stratus-red-team')
              )
              OR (
                CONTAINS(__shared_14, 'cloudfox')
              )
              OR (
                CONTAINS(__shared_14, 'aws_consoler')
              )
              OR (
                CONTAINS(__shared_14, 'prowler')
              )
              OR (
                CONTAINS(__shared_14, 'kali')
              )
              OR (
                CONTAINS(__shared_14, 'parrot')
              )
              OR (
                CONTAINS(__shared_14, 'pentoo')
              )
              OR (
                CONTAINS(__shared_14, 'weirdaal')
              )
              OR (
                CONTAINS(__shared_14, 'cloudmapper')
              )
              OR (
                CONTAINS(__shared_14, 'enumerate-iam')
              )
              OR (
                CONTAINS(__shared_14, 's3 browser')
              )
            ),
            FALSE
          )
          THEN 16
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 17
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 18
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 19
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 20
        END,
        CASE WHEN COALESCE((
          __shared_1 = 'getpassworddata'
        ), FALSE) THEN 21 END,
        CASE
          WHEN COALESCE(
            (
              (
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
                  __shared_1 = 'stopinstances'
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
            ),
            FALSE
          )
          THEN 22
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
                REGEXP_MATCHES(
                  request_parameters,
                  '"instanceType"\s*:\s*"(p[2-5]|g[3-6]|inf|trn|dl|x[12]|u-|[a-z0-9]+\.metal|[a-z0-9]+\.(12|16|18|24|32|48)xlarge)'
                )
              )
            ),
            FALSE
          )
          THEN 23
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  (
                    __shared_1 = 'modifyinstanceattribute'
                  )
                  AND (
                    NOT (
                      __shared_15
                    ) IS NULL
                  )
                )
                OR (
                  (
                    __shared_1 = 'modifyinstanceattribute'
                  ) AND (
                    __shared_16 = 'userdata'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 24
        END,
        CASE
          WHEN COALESCE(
            (
              (
                __shared_1 = 'describeinstanceattribute'
              ) AND (
                __shared_16 = 'userdata'
              )
            ),
            FALSE
          )
          THEN 25
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_0 = 'sts.amazonaws.com'
                )
                AND (
                  __shared_1 = 'getfederationtoken'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 26
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_0 = 'signin.amazonaws.com'
                ) AND (
                  __shared_1 = 'getsignintoken'
                )
              )
              AND (
                NOT (
                  COALESCE(CONTAINS(__shared_14, 'jersey/${project.version}'), FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 27
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_0 = 'guardduty.amazonaws.com'
                )
                AND (
                  __shared_1 = 'updatedetector'
                )
                AND (
                  __shared_17 = 'false'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 28
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 29
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 30
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 31
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 32
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_0 = 'sso.amazonaws.com'
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
                    __shared_1 = 'createpermissionset'
                  )
                  OR (
                    __shared_1 = 'attachmanagedpolicytopermissionset'
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
            ),
            FALSE
          )
          THEN 33
        END,
        CASE WHEN COALESCE((
          __shared_18 = '1.0'
        ), FALSE) THEN 34 END,
        CASE
          WHEN COALESCE(
            (
              (
                (
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
                  REGEXP_MATCHES(__shared_19, '"Action"\s*:\s*\[?\s*"(\*|iam:\*)"')
                )
              )
              AND (
                CONTAINS(__shared_20, 'allow')
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 35
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_3 = 'assumedrole'
                )
                AND (
                  REGEXP_MATCHES(user_arn, ':assumed-role/[^/]+/i-[0-9a-f]{8,17}$')
                )
              )
              AND (
                NOT (
                  COALESCE(
                    (
                      ENDS_WITH(__shared_21, '.amazonaws.com')
                    )
                    OR (
                      ENDS_WITH(__shared_21, 'aws internal')
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
                  COALESCE(NOT ec2_role_delivery IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 36
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 37
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 38
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  STARTS_WITH(__shared_1, 'updatefunctioncode')
                )
                OR (
                  (
                    STARTS_WITH(__shared_1, 'updatefunctionconfiguration')
                  )
                  AND (
                    NOT (
                      __shared_22
                    ) IS NULL
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 39
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  (
                    STARTS_WITH(__shared_1, 'addpermission')
                  ) AND (
                    __shared_23 = '*'
                  )
                )
                OR (
                  (
                    (
                      STARTS_WITH(__shared_1, 'createfunctionurlconfig')
                    )
                    OR (
                      STARTS_WITH(__shared_1, 'updatefunctionurlconfig')
                    )
                  )
                  AND (
                    __shared_24 = 'none'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 40
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_1 = 'createloginprofile'
                )
                OR (
                  __shared_1 = 'updateloginprofile'
                )
              )
              AND (
                NOT (
                  COALESCE(ENDS_WITH(__shared_5, __shared_6), FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 41
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_0 = 'macie2.amazonaws.com'
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
            ),
            FALSE
          )
          THEN 42
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  (
                    __shared_1 = 'createnetworkaclentry'
                  )
                  OR (
                    __shared_1 = 'replacenetworkaclentry'
                  )
                )
                AND (
                  __shared_25 = '0.0.0.0/0'
                )
                AND (
                  __shared_26 = 'allow'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 43
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 44
        END,
        CASE
          WHEN COALESCE(
            (
              (
                __shared_0 = 'organizations.amazonaws.com'
              )
              AND (
                __shared_1 = 'leaveorganization'
              )
            ),
            FALSE
          )
          THEN 45
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  (
                    (
                      STARTS_WITH(__shared_1, 'createfunction')
                    )
                    OR (
                      STARTS_WITH(__shared_1, 'updatefunctionconfiguration')
                    )
                  )
                  AND (
                    NOT (
                      __shared_27
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
                      __shared_28
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
                      __shared_29
                    ) IS NULL
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 46
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 47
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  (
                    (
                      __shared_1 = 'modifydbinstance'
                    ) OR (
                      __shared_1 = 'modifydbcluster'
                    )
                  )
                  AND (
                    __shared_30 = 'false'
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
                      __shared_31
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
            ),
            FALSE
          )
          THEN 48
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
                    __shared_32 = 'true'
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
                    __shared_33 = 'true'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 49
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  (
                    (
                      __shared_1 = 'createdbsnapshot'
                    )
                    OR (
                      __shared_1 = 'createdbclustersnapshot'
                    )
                  )
                  AND (
                    user_invoked_by IS NULL
                  )
                )
                OR (
                  (
                    (
                      __shared_1 = 'copydbsnapshot'
                    ) OR (
                      __shared_1 = 'copydbclustersnapshot'
                    )
                  )
                  AND (
                    STARTS_WITH(__shared_34, 'arn:')
                  )
                )
                OR (
                  (
                    __shared_1 = 'copydbclustersnapshot'
                  )
                  AND (
                    STARTS_WITH(__shared_35, 'arn:')
                  )
                )
                OR (
                  (
                    (
                      __shared_1 = 'restoredbinstancefromdbsnapshot'
                    )
                    OR (
                      __shared_1 = 'createdbinstance'
                    )
                    OR (
                      __shared_1 = 'modifydbinstance'
                    )
                  )
                  AND (
                    __shared_36 = 'true'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 50
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
                    __shared_37
                  ) IS NULL
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 51
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 52
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  (
                    __shared_1 = 'putkeypolicy'
                  )
                  OR (
                    __shared_1 = 'setqueueattributes'
                  )
                  OR (
                    __shared_1 = 'settopicattributes'
                  )
                  OR (
                    __shared_1 = 'setrepositorypolicy'
                  )
                  OR (
                    __shared_1 = 'putresourcepolicy'
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
                  OR (
                    __shared_1 = 'addpermission20150331v2'
                  )
                  OR (
                    __shared_1 = 'putrepositorypolicy'
                  )
                )
                AND (
                  REGEXP_MATCHES(request_parameters, '"Principal\\?"\s*:\s*(\{\s*\\?"AWS\\?"\s*:\s*)?\\?"\*\\?"')
                )
              )
              AND (
                NOT (
                  COALESCE(
                    (
                      CONTAINS(__shared_38, 'aws:sourceip')
                    )
                    OR (
                      CONTAINS(__shared_38, 'aws:sourcevpc')
                    )
                    OR (
                      CONTAINS(__shared_38, 'aws:sourceaccount')
                    )
                    OR (
                      CONTAINS(__shared_38, 'aws:sourcearn')
                    )
                    OR (
                      CONTAINS(__shared_38, 'aws:principalorgid')
                    )
                    OR (
                      CONTAINS(__shared_38, 'aws:principalaccount')
                    )
                    OR (
                      CONTAINS(__shared_38, 'aws:sourceorgid')
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
            ),
            FALSE
          )
          THEN 53
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_1 = 'updateassumerolepolicy'
                ) OR (
                  __shared_1 = 'createrole'
                )
              )
              AND (
                (
                  REGEXP_MATCHES(__shared_19, '"AWS"\s*:\s*(\[[^\]]*)?"(\*|arn:aws:iam::\d{12}:(root|user|role))')
                )
                OR (
                  REGEXP_MATCHES(__shared_39, '"AWS"\s*:\s*(\[[^\]]*)?"(\*|arn:aws:iam::\d{12}:(root|user|role))')
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 54
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 55
        END,
        CASE
          WHEN COALESCE(
            (
              (
                __shared_3 = 'root'
              )
              AND (
                NOT (
                  COALESCE(
                    (
                      __shared_40 = 'awsserviceevent'
                    ) OR (
                      __shared_40 = 'awsconsolesignin'
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
            ),
            FALSE
          )
          THEN 56
        END,
        CASE
          WHEN COALESCE(
            (
              (
                __shared_1 = 'consolelogin'
              ) AND (
                __shared_3 = 'root'
              )
            ),
            FALSE
          )
          THEN 57
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 58
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 59
        END,
        CASE
          WHEN COALESCE(
            (
              (
                __shared_1 = 'putbucketacl'
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 60
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
                    CONTAINS(__shared_38, 'allusers')
                  )
                  OR (
                    CONTAINS(__shared_38, 'authenticatedusers')
                  )
                  OR (
                    CONTAINS(__shared_38, 'public-read')
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 61
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 62
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_1 = 'putbucketpolicy'
                )
                AND (
                  REGEXP_MATCHES(__shared_41, '"Principal":\s*("\*"|\{"AWS":\s*"\*"\})')
                )
              )
              AND (
                NOT (
                  COALESCE(CONTAINS(__shared_42, '"condition"'), FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 63
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 64
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_1 = 'putbucketencryption'
                )
                AND (
                  REGEXP_MATCHES(request_parameters, 'arn:aws:kms:[a-z0-9-]+:\d{12}:')
                )
              )
              AND (
                NOT (
                  COALESCE(CONTAINS(__shared_38, __shared_43), FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 65
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  (
                    __shared_1 = 'deletebucketencryption'
                  )
                  AND (
                    NOT (
                      __shared_44
                    ) IS NULL
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
                      __shared_45
                    ) IS NULL
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 66
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  (
                    (
                      __shared_1 = 'putbucketlogging'
                    ) AND (
                      NOT (
                        __shared_46
                      ) IS NULL
                    )
                  )
                  AND (
                    NOT (
                      COALESCE(NOT (
                        __shared_47
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
                    REGEXP_MATCHES(request_parameters, '"Days":\s*"?[1-7]"?[,}]')
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 67
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  (
                    __shared_1 = 'putbucketpublicaccessblock'
                  )
                  OR (
                    __shared_1 = 'putaccountpublicaccessblock'
                  )
                )
                AND (
                  REGEXP_MATCHES(
                    request_parameters,
                    '"(BlockPublicPolicy|RestrictPublicBuckets|BlockPublicAcls|IgnorePublicAcls)":\s*false'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 68
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 69
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_1 = 'putbucketversioning'
                )
                AND (
                  (
                    CONTAINS(__shared_38, '"status":"suspended"')
                  )
                  OR (
                    CONTAINS(__shared_38, '"status":"disabled"')
                  )
                  OR (
                    CONTAINS(__shared_38, '"mfadelete":"disabled"')
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 70
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
                    __shared_1 = 'deletesamlprovider'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 71
        END,
        CASE WHEN COALESCE((
          __shared_1 = 'getsecretvalue'
        ), FALSE) THEN 72 END,
        CASE
          WHEN COALESCE(
            (
              (
                __shared_1 = 'batchgetsecretvalue'
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 73
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 74
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  (
                    __shared_1 = 'authorizesecuritygroupingress'
                  )
                  OR (
                    __shared_1 = 'modifysecuritygrouprules'
                  )
                )
                AND (
                  (
                    CONTAINS(__shared_38, '"0.0.0.0/0"')
                  )
                  OR (
                    CONTAINS(__shared_38, '"::/0"')
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 75
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 76
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 77
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  (
                    __shared_1 = 'modifysnapshotattribute'
                  )
                  OR (
                    __shared_1 = 'modifyimageattribute'
                  )
                )
                AND (
                  (
                    CONTAINS(__shared_38, '"add"')
                  )
                  OR (
                    CONTAINS(__shared_38, 'create_volume_permission')
                  )
                  OR (
                    CONTAINS(__shared_38, 'launchpermission')
                  )
                  OR (
                    CONTAINS(__shared_38, 'createvolumepermission')
                  )
                )
              )
              AND (
                (
                  CONTAINS(__shared_38, '"add"')
                )
                OR (
                  NOT (
                    COALESCE(CONTAINS(__shared_38, '"remove"'), FALSE)
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 78
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 79
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
                  __shared_48 = 'true'
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 80
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 81
        END,
        CASE
          WHEN COALESCE(
            (
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
                  STARTS_WITH(__shared_1, 'create')
                )
                OR (
                  STARTS_WITH(__shared_1, 'put')
                )
                OR (
                  STARTS_WITH(__shared_1, 'attach')
                )
                OR (
                  STARTS_WITH(__shared_1, 'update')
                )
                OR (
                  STARTS_WITH(__shared_1, 'delete')
                )
                OR (
                  STARTS_WITH(__shared_1, 'add')
                )
                OR (
                  STARTS_WITH(__shared_1, 'modify')
                )
                OR (
                  STARTS_WITH(__shared_1, 'run')
                )
                OR (
                  STARTS_WITH(__shared_1, 'leave')
                )
              )
            ),
            FALSE
          )
          THEN 82
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 83
        END,
        CASE
          WHEN COALESCE(
            (
              (
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
            ),
            FALSE
          )
          THEN 84
        END,
        CASE WHEN COALESCE((
          __shared_2 = 'vpceaccessdenied'
        ), FALSE) THEN 85 END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  NOT vpc_endpoint_id IS NULL
                ) AND (
                  NOT user_account_id IS NULL
                )
              )
              AND (
                NOT (
                  COALESCE(__shared_49 = '111111111111', FALSE)
                )
              )
              AND (
                NOT (
                  COALESCE(__shared_3 = 'awsservice', FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 86
        END,
        CASE
          WHEN COALESCE(
            (
              (
                (
                  __shared_0 = 'wafv2.amazonaws.com'
                )
                AND (
                  (
                    __shared_1 = 'deletewebacl'
                  )
                  OR (
                    __shared_1 = 'deleterulegroup'
                  )
                  OR (
                    __shared_1 = 'disassociatewebacl'
                  )
                )
              )
              AND (
                NOT (
                  COALESCE(NOT error_code IS NULL, FALSE)
                )
              )
            ),
            FALSE
          )
          THEN 87
        END
      ],
      LAMBDA x : NOT x IS NULL
    ) AS hits
  FROM (
    SELECT
      *,
      LOWER(event_source) AS __shared_0,
      LOWER(event_name) AS __shared_1,
      LOWER(error_code) AS __shared_2,
      LOWER(user_type) AS __shared_3,
      request_parameters ->> '$.userName' AS __shared_4,
      LOWER(user_arn) AS __shared_5,
      LOWER(request_parameters ->> '$.userName') AS __shared_6,
      LOWER(request_parameters ->> '$.policyArn') AS __shared_7,
      request_parameters ->> '$.roleArn' AS __shared_8,
      LOWER(response_elements ->> '$.ConsoleLogin') AS __shared_9,
      LOWER(error_message) AS __shared_10,
      additional_event_data ->> '$.MfaType' AS __shared_11,
      LOWER(additional_event_data ->> '$.MFAUsed') AS __shared_12,
      additional_event_data ->> '$.SamlProviderArn' AS __shared_13,
      LOWER(user_agent) AS __shared_14,
      request_parameters ->> '$.userData' AS __shared_15,
      LOWER(request_parameters ->> '$.attribute') AS __shared_16,
      LOWER(request_parameters ->> '$.enable') AS __shared_17,
      LOWER(ec2_role_delivery) AS __shared_18,
      request_parameters ->> '$.policyDocument' AS __shared_19,
      LOWER(request_parameters ->> '$.policyDocument') AS __shared_20,
      LOWER(source_ip_address) AS __shared_21,
      request_parameters ->> '$.layers' AS __shared_22,
      LOWER(request_parameters ->> '$.principal') AS __shared_23,
      LOWER(request_parameters ->> '$.authType') AS __shared_24,
      LOWER(request_parameters ->> '$.cidrBlock') AS __shared_25,
      LOWER(request_parameters ->> '$.ruleAction') AS __shared_26,
      request_parameters ->> '$.role' AS __shared_27,
      request_parameters ->> '$.iamInstanceProfile' AS __shared_28,
      request_parameters ->> '$.roleARN' AS __shared_29,
      LOWER(request_parameters ->> '$.deletionProtection') AS __shared_30,
      request_parameters ->> '$.masterUserPassword' AS __shared_31,
      LOWER(request_parameters ->> '$.includePublic') AS __shared_32,
      LOWER(request_parameters ->> '$.includeShared') AS __shared_33,
      LOWER(request_parameters ->> '$.sourceDBSnapshotIdentifier') AS __shared_34,
      LOWER(request_parameters ->> '$.sourceDBClusterSnapshotIdentifier') AS __shared_35,
      LOWER(response_elements ->> '$.publiclyAccessible') AS __shared_36,
      request_parameters ->> '$.valuesToAdd' AS __shared_37,
      LOWER(request_parameters) AS __shared_38,
      request_parameters ->> '$.assumeRolePolicyDocument' AS __shared_39,
      LOWER(event_type) AS __shared_40,
      request_parameters ->> '$.bucketPolicy' AS __shared_41,
      LOWER(request_parameters ->> '$.bucketPolicy') AS __shared_42,
      LOWER(recipient_account_id) AS __shared_43,
      request_parameters ->> '$.bucketName' AS __shared_44,
      request_parameters ->> '$."x-amz-server-side-encryption-customer-algorithm"' AS __shared_45,
      request_parameters ->> '$.BucketLoggingStatus' AS __shared_46,
      request_parameters ->> '$.BucketLoggingStatus.LoggingEnabled' AS __shared_47,
      LOWER(request_parameters ->> '$.withDecryption') AS __shared_48,
      LOWER(user_account_id) AS __shared_49
    FROM (
      SELECT
        *
      FROM cloudtrail
      WHERE
        (
          (
            (
              (
                (
                  (
                    (
                      (
                        (
                          (
                            LOWER(event_name) IN (
                              'acceptvpcpeeringconnection',
                              'addpermission20150331v2',
                              'addroletodbcluster',
                              'addroletodbinstance',
                              'addusertogroup',
                              'associatedirectory',
                              'assumerole',
                              'attachgrouppolicy',
                              'attachinternetgateway',
                              'attachmanagedpolicytopermissionset',
                              'attachrolepolicy',
                              'attachuserpolicy',
                              'attachvpngateway',
                              'authorizesecuritygroupegress',
                              'authorizesecuritygroupingress',
                              'batchdisablestandards',
                              'batchgetsecretvalue',
                              'checkmfa',
                              'consolelogin',
                              'copydbclustersnapshot',
                              'copydbsnapshot',
                              'copyimage',
                              'copyobject',
                              'copysnapshot',
                              'createaccesskey',
                              'createaccountassignment',
                              'createarchiverule',
                              'createbucket',
                              'createcustomergateway',
                              'createdbclustersnapshot',
                              'createdbinstance',
                              'createdbsnapshot',
                              'createdomain',
                              'createelasticsearchdomain',
                              'createfilter',
                              'createfleet',
                              'createfoundationmodelagreement',
                              'createimage',
                              'createinternetgateway',
                              'createipset',
                              'createloginprofile',
                              'createnetworkacl',
                              'createnetworkaclentry',
                              'createopenidconnectprovider',
                              'createpermissionset',
                              'createpolicy',
                              'createpolicyversion',
                              'createprofile',
                              'createrole',
                              'createroute',
                              'createsamlprovider',
                              'createsecuritygroup',
                              'createsnapshot',
                              'createsnapshots',
                              'createtoken',
                              'createtrafficmirrorfilter',
                              'createtrafficmirrorfilterrule',
                              'createtrafficmirrorsession',
                              'createtrafficmirrortarget',
                              'createtrail',
                              'createtrustanchor',
                              'createuser',
                              'createvirtualmfadevice',
                              'createvpc',
                              'createvpcpeeringconnection',
                              'deactivatemfadevice',
                              'deleteaccountpublicaccessblock',
                              'deleteanalyzer',
                              'deletebucket',
                              'deletebucketencryption',
                              'deletebucketpublicaccessblock',
                              'deleteconfigrule',
                              'deleteconfigurationrecorder',
                              'deletedbclustersnapshot',
                              'deletedbsnapshot',
                              'deletedeliverychannel',
                              'deletedetector',
                              'deleteeventdatastore',
                              'deleteflowlogs',
                              'deleteguardrail',
                              'deleteimportedkeymaterial',
                              'deleteinsight',
                              'deleteinternetgateway',
                              'deleteloggroup',
                              'deletelogstream',
                              'deletemember',
                              'deletemembers',
                              'deletemodelinvocationloggingconfiguration',
                              'deletenetworkacl',
                              'deletenetworkaclentry',
                              'deleteobjects',
                              'deleteresolverquerylogconfig',
                              'deleteroute',
                              'deleterulegroup',
                              'deletesamlprovider',
                              'deletesecuritygroup',
                              'deletetrail',
                              'deletevpc',
                              'deletewebacl',
                              'describeaccount',
                              'describedbclustersnapshots',
                              'describedbsnapshots',
                              'describeinstanceattribute',
                              'disabledomaintransferlock',
                              'disableebsencryptionbydefault',
                              'disableimportfindingsforproduct',
                              'disablekey',
                              'disablemacie',
                              'disablesecurityhub',
                              'disassociatedirectory',
                              'disassociatefromadministratoraccount',
                              'disassociatefrommasteraccount',
                              'disassociateresolverquerylogconfig',
                              'disassociatewebacl',
                              'enableexternalidpconfigurationfordirectory',
                              'enablemfadevice',
                              'enableregion',
                              'enableserialconsoleaccess',
                              'getaccountauthorizationdetails',
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
                              'getsessiontoken',
                              'getsignintoken',
                              'importkeymaterial',
                              'leaveorganization',
                              'listaccounts',
                              'modifydbcluster',
                              'modifydbclustersnapshotattribute',
                              'modifydbinstance',
                              'modifydbsnapshotattribute',
                              'modifyimageattribute',
                              'modifyinstanceattribute',
                              'modifysecuritygrouprules',
                              'modifysnapshotattribute',
                              'modifyvpcattribute',
                              'passwordrecoverycompleted',
                              'passwordupdated',
                              'putaccountpublicaccessblock',
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
                              'puteventselectors',
                              'putfoundationmodelentitlement',
                              'putgrouppolicy',
                              'putinsightselectors',
                              'putkeypolicy',
                              'putobject',
                              'putobjectacl',
                              'putreplicationconfiguration',
                              'putrepositorypolicy',
                              'putresourcepolicy',
                              'putrolepolicy',
                              'putusecaseformodelaccess',
                              'putuserpolicy',
                              'removeaccountfromorganization',
                              'replacenetworkaclassociation',
                              'replacenetworkaclentry',
                              'replaceroute',
                              'requestspotinstances',
                              'restoredbinstancefromdbsnapshot',
                              'resumesession',
                              'revokesecuritygroupegress',
                              'revokesecuritygroupingress',
                              'runinstances',
                              'schedulekeydeletion',
                              'sendcommand',
                              'sendserialconsolesshpublickey',
                              'sendsshpublickey',
                              'setdefaultpolicyversion',
                              'setqueueattributes',
                              'setrepositorypolicy',
                              'settopicattributes',
                              'startsession',
                              'stopactivitystream',
                              'stopconfigurationrecorder',
                              'stopeventdatastoreingestion',
                              'stopinstances',
                              'stoplogging',
                              'stopmonitoringmembers',
                              'transferdomain',
                              'transferdomaintoanotherawsaccount',
                              'updatearchiverule',
                              'updateassumerolepolicy',
                              'updatedetector',
                              'updatedomainconfig',
                              'updateelasticsearchdomainconfig',
                              'updatefilter',
                              'updateguardrail',
                              'updateipset',
                              'updateloginprofile',
                              'updatemaciesession',
                              'updatesamlprovider',
                              'updatetrail',
                              'updatetrustanchor'
                            )
                            OR COALESCE(
                              (
                                (
                                  (
                                    (
                                      LOWER(error_code) = 'accessdenied'
                                    )
                                    OR (
                                      LOWER(error_code) = 'client.unauthorizedoperation'
                                    )
                                    OR (
                                      LOWER(error_code) = 'unauthorizedoperation'
                                    )
                                    OR (
                                      LOWER(error_code) = 'accessdeniedexception'
                                    )
                                  )
                                  AND (
                                    (
                                      STARTS_WITH(LOWER(event_name), 'list')
                                    )
                                    OR (
                                      STARTS_WITH(LOWER(event_name), 'describe')
                                    )
                                    OR (
                                      STARTS_WITH(LOWER(event_name), 'get')
                                    )
                                  )
                                )
                                AND (
                                  NOT (
                                    COALESCE(LOWER(user_type) = 'awsservice', FALSE)
                                  )
                                )
                              ),
                              FALSE
                            )
                          )
                          OR COALESCE(
                            (
                              (
                                CONTAINS(LOWER(user_agent), 'trufflehog')
                              )
                              OR (
                                CONTAINS(LOWER(user_agent), 'pacu')
                              )
                              OR (
                                CONTAINS(LOWER(user_agent), 'scoutsuite')
                              )
                              OR (
                                CONTAINS(LOWER(user_agent), 'stratus-red-team')
                              )
                              OR (
                                CONTAINS(LOWER(user_agent), 'cloudfox')
                              )
                              OR (
                                CONTAINS(LOWER(user_agent), 'aws_consoler')
                              )
                              OR (
                                CONTAINS(LOWER(user_agent), 'prowler')
                              )
                              OR (
                                CONTAINS(LOWER(user_agent), 'kali')
                              )
                              OR (
                                CONTAINS(LOWER(user_agent), 'parrot')
                              )
                              OR (
                                CONTAINS(LOWER(user_agent), 'pentoo')
                              )
                              OR (
                                CONTAINS(LOWER(user_agent), 'weirdaal')
                              )
                              OR (
                                CONTAINS(LOWER(user_agent), 'cloudmapper')
                              )
                              OR (
                                CONTAINS(LOWER(user_agent), 'enumerate-iam')
                              )
                              OR (
                                CONTAINS(LOWER(user_agent), 's3 browser')
                              )
                            ),
                            FALSE
                          )
                        )
                        OR COALESCE((
                          LOWER(ec2_role_delivery) = '1.0'
                        ), FALSE)
                      )
                      OR COALESCE(
                        (
                          (
                            (
                              LOWER(user_type) = 'assumedrole'
                            )
                            AND (
                              REGEXP_MATCHES(user_arn, ':assumed-role/[^/]+/i-[0-9a-f]{8,17}$')
                            )
                          )
                          AND (
                            NOT (
                              COALESCE(
                                (
                                  ENDS_WITH(LOWER(source_ip_address), '.amazonaws.com')
                                )
                                OR (
                                  ENDS_WITH(LOWER(source_ip_address), 'aws internal')
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
                              COALESCE(NOT ec2_role_delivery IS NULL, FALSE)
                            )
                          )
                        ),
                        FALSE
                      )
                    )
                    OR COALESCE(
                      (
                        (
                          (
                            STARTS_WITH(LOWER(event_name), 'updatefunctioncode')
                          )
                          OR (
                            (
                              STARTS_WITH(LOWER(event_name), 'updatefunctionconfiguration')
                            )
                            AND (
                              NOT (
                                request_parameters ->> '$.layers'
                              ) IS NULL
                            )
                          )
                        )
                        AND (
                          NOT (
                            COALESCE(NOT error_code IS NULL, FALSE)
                          )
                        )
                      ),
                      FALSE
                    )
                  )
                  OR COALESCE(
                    (
                      (
                        (
                          (
                            STARTS_WITH(LOWER(event_name), 'addpermission')
                          )
                          AND (
                            LOWER(request_parameters ->> '$.principal') = '*'
                          )
                        )
                        OR (
                          (
                            (
                              STARTS_WITH(LOWER(event_name), 'createfunctionurlconfig')
                            )
                            OR (
                              STARTS_WITH(LOWER(event_name), 'updatefunctionurlconfig')
                            )
                          )
                          AND (
                            LOWER(request_parameters ->> '$.authType') = 'none'
                          )
                        )
                      )
                      AND (
                        NOT (
                          COALESCE(NOT error_code IS NULL, FALSE)
                        )
                      )
                    ),
                    FALSE
                  )
                )
                OR COALESCE(
                  (
                    (
                      (
                        (
                          (
                            STARTS_WITH(LOWER(event_name), 'createfunction')
                          )
                          OR (
                            STARTS_WITH(LOWER(event_name), 'updatefunctionconfiguration')
                          )
                        )
                        AND (
                          NOT (
                            request_parameters ->> '$.role'
                          ) IS NULL
                        )
                      )
                      OR (
                        (
                          (
                            LOWER(event_name) = 'runinstances'
                          )
                          OR (
                            LOWER(event_name) = 'associateiaminstanceprofile'
                          )
                          OR (
                            LOWER(event_name) = 'replaceiaminstanceprofileassociation'
                          )
                        )
                        AND (
                          NOT (
                            request_parameters ->> '$.iamInstanceProfile'
                          ) IS NULL
                        )
                      )
                      OR (
                        (
                          (
                            LOWER(event_name) = 'createdevendpoint'
                          )
                          OR (
                            LOWER(event_name) = 'updatedevendpoint'
                          )
                          OR (
                            LOWER(event_name) = 'createjob'
                          )
                        )
                        AND (
                          LOWER(event_source) = 'glue.amazonaws.com'
                        )
                      )
                      OR (
                        (
                          (
                            LOWER(event_name) = 'createnotebookinstance'
                          )
                          OR (
                            LOWER(event_name) = 'createstack'
                          )
                        )
                        AND (
                          NOT (
                            request_parameters ->> '$.roleARN'
                          ) IS NULL
                        )
                      )
                    )
                    AND (
                      NOT (
                        COALESCE(NOT error_code IS NULL, FALSE)
                      )
                    )
                  ),
                  FALSE
                )
              )
              OR COALESCE(
                (
                  (
                    LOWER(user_type) = 'root'
                  )
                  AND (
                    NOT (
                      COALESCE(
                        (
                          LOWER(event_type) = 'awsserviceevent'
                        )
                        OR (
                          LOWER(event_type) = 'awsconsolesignin'
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
                ),
                FALSE
              )
            )
            OR COALESCE(
              (
                (
                  (
                    LOWER(error_code) = 'accessdenied'
                  )
                  OR (
                    LOWER(error_code) = 'client.unauthorizedoperation'
                  )
                  OR (
                    LOWER(error_code) = 'unauthorizedoperation'
                  )
                  OR (
                    LOWER(error_code) = 'accessdeniedexception'
                  )
                )
                AND (
                  (
                    STARTS_WITH(LOWER(event_name), 'create')
                  )
                  OR (
                    STARTS_WITH(LOWER(event_name), 'put')
                  )
                  OR (
                    STARTS_WITH(LOWER(event_name), 'attach')
                  )
                  OR (
                    STARTS_WITH(LOWER(event_name), 'update')
                  )
                  OR (
                    STARTS_WITH(LOWER(event_name), 'delete')
                  )
                  OR (
                    STARTS_WITH(LOWER(event_name), 'add')
                  )
                  OR (
                    STARTS_WITH(LOWER(event_name), 'modify')
                  )
                  OR (
                    STARTS_WITH(LOWER(event_name), 'run')
                  )
                  OR (
                    STARTS_WITH(LOWER(event_name), 'leave')
                  )
                )
              ),
              FALSE
            )
          )
          OR COALESCE((
            LOWER(error_code) = 'vpceaccessdenied'
          ), FALSE)
        )
        OR COALESCE(
          (
            (
              (
                NOT vpc_endpoint_id IS NULL
              ) AND (
                NOT user_account_id IS NULL
              )
            )
            AND (
              NOT (
                COALESCE(LOWER(user_account_id) = '111111111111', FALSE)
              )
            )
            AND (
              NOT (
                COALESCE(LOWER(user_type) = 'awsservice', FALSE)
              )
            )
          ),
          FALSE
        )
    ) AS candidates
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
    request_parameters ->> '$.bucketName',
    request_parameters ->> '$.userName',
    request_parameters ->> '$.roleName',
    request_parameters ->> '$.policyArn',
    request_parameters ->> '$.groupName',
    request_parameters ->> '$.name',
    request_parameters ->> '$.trailName',
    request_parameters ->> '$.detectorId',
    request_parameters ->> '$.keyId',
    request_parameters ->> '$.secretId',
    request_parameters ->> '$.functionName',
    request_parameters ->> '$.instanceId',
    request_parameters ->> '$.groupId',
    request_parameters ->> '$.snapshotId',
    request_parameters ->> '$.imageId',
    request_parameters ->> '$.dBSnapshotIdentifier',
    request_parameters ->> '$.dBInstanceIdentifier',
    request_parameters ->> '$.flowLogIds',
    request_parameters ->> '$.accessKeyId',
    resources ->> '$[0].ARN'
  ) AS resource,
  hits,
  source_ip_address AS extra_0,
  user_arn AS extra_1,
  user_arn AS extra_2,
  request_parameters ->> '$.secretId' AS extra_3,
  user_arn AS extra_4
FROM scored
WHERE
  ARRAY_LENGTH(hits) > 0
