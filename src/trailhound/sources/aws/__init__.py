"""Amazon Web Services as a source: SQS notifications of S3 objects, and the setup they need."""
