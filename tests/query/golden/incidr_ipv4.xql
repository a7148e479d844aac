filter incidr(sourceIPAddress, "10.0.0.0/8, 192.168.0.0/16") and not incidr(sourceIPAddress, "10.1.0.0/16")
