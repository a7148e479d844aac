alter address = concat("2001:db8:", to_string(extract_time(eventTime, "MINUTE")), "::7")
| alter in_36 = incidr6(address, "2001:db8::/36"), in_44 = incidr6(address, "2001:db8:10::/44"),
    in_either = incidr6(address, "2001:db8:40::/42, 2001:db8:5::/48")
| comp count() as calls by address, in_36, in_44, in_either
