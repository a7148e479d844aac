top 3 eventName by recipientAccountId
