config timeframe = 7d | top 5 eventName
