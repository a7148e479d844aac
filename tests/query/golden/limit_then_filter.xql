sort source_index desc | limit 5 | filter awsRegion = "us-west-2" | fields eventId
