config timeframe = 1h
| fields -raw, -userIdentity, -requestParameters, -responseElements
