"""An AWS Lambda function that pushes new CloudTrail log files to a trailhound server.

Standard library and boto3 only (both in the Lambda runtime): zip this package and set the
handler to ``trailhound_forwarder.handler.handle``. See ``handler.py`` for its settings.
"""
