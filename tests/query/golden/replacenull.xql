filter eventSource = "s3.amazonaws.com"
| replacenull errorCode = "OK", vpcEndpointId = "none"
| comp count() as calls by errorCode, vpcEndpointId
