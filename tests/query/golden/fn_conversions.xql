filter eventSource = "s3.amazonaws.com"
| alter bytes = to_integer(additionalEventData.bytesTransferredOut),
    kilobytes = to_float(additionalEventData.bytesTransferredOut) / 1024,
    mfa = to_boolean(json_extract(userIdentity, "$.sessionContext.attributes.mfaAuthenticated")),
    rounded = to_integer(3.6), whole = to_integer(" 42 "), not_whole = to_integer("4.2"),
    answer = to_boolean(0)
| fields eventId, bytes, kilobytes, mfa, rounded, whole, not_whole, answer
