filter incidr(sourceIPAddress, "2001:db8:0::/48")
