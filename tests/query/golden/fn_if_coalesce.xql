alter kind = if(readOnly, "read", errorCode != null, "failed", "write"),
    who = coalesce(userIdentity.userName, userIdentity.invokedBy, "unknown"),
    error = if(errorCode != null, "error")
| comp count() as calls by kind, who, error
