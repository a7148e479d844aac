filter userIdentity.accessKeyId != null
| transaction userIdentity.accessKeyId span = 1h
