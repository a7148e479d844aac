filter requestParameters.bucketName = "logs_*%" and userAgent contains "aws-cli"
