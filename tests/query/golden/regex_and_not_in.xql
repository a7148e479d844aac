filter eventName ~= "^(Create|Delete)(User|Role)$" and awsRegion not in ("us-east-1", "eu-*")
