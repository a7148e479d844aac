dataset = cloud_audit_logs
| config timeframe = 1d
| filter status = "Failure"
| comp count() as failures by api_operation, actor_user_name
